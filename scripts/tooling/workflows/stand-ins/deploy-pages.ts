/** Stand-in for actions/deploy-pages@v4: hands the run's artifact to the local Pages service. */
import { getInput, info, run, setOutput } from './toolkit.ts';
import { servicesRequest } from './services-client.ts';

run(async () => {
  const body = JSON.stringify({ artifact_name: getInput('artifact_name') || 'github-pages' });
  const answer = (await (await servicesRequest('POST', '/pages/deploy', body)).json()) as { page_url: string };
  info(`Deployed to ${answer.page_url}`);
  setOutput('page_url', answer.page_url);
});
