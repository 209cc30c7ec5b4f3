/** Stand-in for actions/configure-pages@v5: the site's address as the local Pages service reports it. */
import { run, setOutput } from './toolkit.ts';
import { servicesRequest } from './services-client.ts';

run(async () => {
  const site = (await (await servicesRequest('GET', '/pages/configure')).json()) as {
    origin: string;
    base_path: string;
  };
  setOutput('base_url', `${site.origin}${site.base_path}`);
  setOutput('origin', site.origin);
  setOutput('host', new URL(site.origin).host);
  setOutput('base_path', site.base_path);
});
