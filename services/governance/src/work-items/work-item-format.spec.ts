import { WORK_ITEM_SYSTEMS, type WorkItemSystem } from '@ihf/contracts';
import { parseWorkItem, type TrackerBaseUrls } from './work-item-format.js';

const none: TrackerBaseUrls = {
  jira_base_url: null,
  gitlab_base_url: null,
  linear_base_url: null,
  azure_boards_base_url: null,
};
const bases: TrackerBaseUrls = {
  jira_base_url: 'https://acme.atlassian.net/',
  gitlab_base_url: 'https://git.acme.example',
  linear_base_url: 'https://linear.app/acme',
  azure_boards_base_url: 'https://dev.azure.com/acme/shop',
};

describe('work-item formats', () => {
  const valid: [WorkItemSystem, string, string][] = [
    ['github', 'octo-org/checkout.web#123', 'https://github.com/octo-org/checkout.web/issues/123'],
    ['gitlab', 'group/sub/project#12', 'https://git.acme.example/group/sub/project/-/issues/12'],
    ['gitlab', 'group/project!7', 'https://git.acme.example/group/project/-/merge_requests/7'],
    ['jira', 'PROJ-42', 'https://acme.atlassian.net/browse/PROJ-42'],
    ['linear', 'ENG-42', 'https://linear.app/acme/issue/ENG-42'],
    ['azure_boards', 'AB#123', 'https://dev.azure.com/acme/shop/_workitems/edit/123'],
    ['url', 'https://tracker.example/items/9', 'https://tracker.example/items/9'],
  ];
  it.each(valid)('%s %s → %s', (system, ref, url) => {
    expect(parseWorkItem(system, ref, bases)).toMatchObject({ ref, url });
  });

  const invalid: [WorkItemSystem, string][] = [
    ['github', 'owner/repo'],
    ['github', 'owner#12'],
    ['github', '-owner/repo#1'],
    ['github', 'owner/repo#0'],
    ['github', 'owner/repo#12345678901'],
    ['github', 'owner/../x#1'],
    ['gitlab', 'project#12'],
    ['gitlab', 'group/project?7'],
    ['jira', 'proj-42'],
    ['jira', 'PROJ42'],
    ['linear', 'ENG_42'],
    ['azure_boards', 'AB123'],
    ['azure_boards', '#123'],
    ['url', 'http://tracker.example/items/9'],
    ['url', 'javascript:alert(1)'],
    ['url', 'https://'],
  ];
  it.each(invalid)('%s refuses %s', (system, ref) => {
    expect(parseWorkItem(system, ref, bases)).toMatchObject({ problem: 'format' });
  });

  it('derives gitlab.com without a base URL and needs one for jira, linear and azure boards', () => {
    expect(parseWorkItem('gitlab', 'g/p#1', none)).toMatchObject({
      url: 'https://gitlab.com/g/p/-/issues/1',
    });
    expect(parseWorkItem('jira', 'PROJ-1', none)).toEqual({
      problem: 'base_url',
      setting: 'jira_base_url',
    });
    expect(parseWorkItem('linear', 'ENG-1', none)).toMatchObject({ problem: 'base_url' });
    expect(parseWorkItem('azure_boards', 'AB#1', none)).toMatchObject({ problem: 'base_url' });
  });

  it('keys GitHub items for the webhook, case-insensitively', () => {
    expect(parseWorkItem('github', 'Octo/Repo#5', none)).toMatchObject({
      trackerKey: 'github:octo/repo#5',
    });
    for (const system of WORK_ITEM_SYSTEMS.filter((s) => s !== 'github')) {
      const ref = valid.find(([s]) => s === system)![1];
      expect(parseWorkItem(system, ref, bases)).toMatchObject({ trackerKey: null });
    }
  });
});
