import { describe, expect, it } from 'vitest';
import { issueChooserConfigFor } from '../../scripts/core/issue-chooser.ts';

const config = `# Only the two forms.
blank_issues_enabled: false
contact_links:
  # Kept in step with the settings.
  - name: Read the petition
    url: https://petition-as-code.github.io/amur-leopard/
    about: The petition.
  - name: Contact the organisers
    url: mailto:team@example.org
    about: Questions.
`;

describe('the issue chooser link', () => {
  it('is rewritten to the site in the settings, keeping comments and other links', () => {
    const updated = issueChooserConfigFor(config, 'https://tigers.example.org/')!;
    expect(updated).toContain('    url: https://tigers.example.org/\n');
    expect(updated).toContain('# Kept in step with the settings.');
    expect(updated).toContain('url: mailto:team@example.org');
    expect(updated).not.toContain('amur-leopard');
  });

  it('is left alone when it already points at the site, so no commit is made for it', () => {
    expect(issueChooserConfigFor(config, 'https://petition-as-code.github.io/amur-leopard/')).toBeUndefined();
  });

  it('is left alone when the file has no contact link', () => {
    expect(issueChooserConfigFor('blank_issues_enabled: false\n', 'https://x.example.org/')).toBeUndefined();
  });

  it('refuses a config.yml that is not valid YAML, naming the file', () => {
    expect(() => issueChooserConfigFor('contact_links: [\n', 'https://x.example.org/')).toThrow(
      /config\.yml is not valid YAML/,
    );
  });
});
