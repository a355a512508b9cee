/** The `TagManager.*` methods of containers: versions, publishing to environments, embed code and preview mode. */
import { readEnvironment } from '../../config/environment.js';
import { loadSite } from '../../sites/site-store.js';
import {
  buildContainerFileName, LIVE_ENVIRONMENT, listEnvironments, PREVIEW_ENVIRONMENT, publishContainerFile,
} from '../../tag-manager/container-publisher.js';
import {
  createContainer, createVersionFromDraft, deleteRelease, ensureOneOf, loadContainer, loadContainerContent, loadDraftVersionId,
  saveRelease,
} from '../../tag-manager/container-store.js';
import { formatUtcDateTime } from '../../time.js';
import type { ApiCall, ApiMethodRegistry } from '../api-method-registry.js';
import { API_SUCCESS, type ApiValue } from '../api-value.js';
import { registerTagManagerPartsModule } from './tag-manager-parts-module.js';
import { requireName } from './tag-manager-params.js';
import { loadViewTarget, loadWriteTarget } from './tag-manager-target.js';

async function describeContainer(call: ApiCall, siteId: number, containerId: string): Promise<ApiValue> {
  const db = call.tenant.db();
  const container = await loadContainer(db, siteId, containerId);
  const versions = await db.selectFrom('tagmanager_container_version').selectAll().where('idsite', '=', siteId).where('idcontainer', '=', containerId).orderBy('revision').execute();
  const releases = await db.selectFrom('tagmanager_container_release').selectAll().where('idsite', '=', siteId).where('idcontainer', '=', containerId).orderBy('environment').execute();
  const draft = versions.find((version) => Number(version.revision) === 0)!;
  return {
    idcontainer: container.idcontainer, idsite: siteId, context: container.context, name: container.name,
    description: container.description, created_date: container.created_date, updated_date: container.updated_date,
    draft: { idcontainerversion: Number(draft.idcontainerversion), revision: 0 },
    versions: versions.filter((version) => Number(version.revision) > 0).map((version) => ({
      idcontainerversion: Number(version.idcontainerversion), name: version.name, description: version.description,
      revision: Number(version.revision), created_date: version.created_date,
    })),
    releases: releases.map((release) => ({
      environment: release.environment, idcontainerversion: Number(release.idcontainerversion),
      release_login: release.release_login, release_date: release.release_date,
    })),
  };
}

function buildEmbedCode(host: string, fileName: string): string {
  return [
    '<!-- Footfall Tag Manager -->',
    '<script>',
    '  var _mtm = window._mtm = window._mtm || [];',
    '  _mtm.push({"mtm.startTime": (new Date().getTime()), "event": "mtm.Start"});',
    '  (function () {',
    '    var script = document.createElement("script");',
    '    script.async = true;',
    `    script.src = ${JSON.stringify(`//${host}/js/${fileName}`)};`,
    '    document.head.appendChild(script);',
    '  })();',
    '</script>',
    '<!-- End Footfall Tag Manager -->',
    '',
  ].join('\n');
}

/** The handlers of the TagManager module, by method name. */
const HANDLERS: Record<string, { description: string; parameters: string[]; differences?: string; handler: (call: ApiCall) => Promise<ApiValue> }> = {
  addContainer: {
    description: 'Creates a container with an empty draft and returns its id.',
    parameters: ['idSite', 'context', 'name', 'description'],
    async handler(call) {
      const siteId = call.params.requiredInt('idSite');
      call.access.ensure('write', [siteId]);
      await loadSite(call.tenant.db(), siteId);
      const context = ensureOneOf('context', call.params.string('context', 'web'), ['web']);
      return createContainer(call.tenant.db(), siteId, { context, name: requireName(call.params), description: call.params.string('description') }, call.clock());
    },
  },
  getContainers: {
    description: 'Returns the containers of a site with their draft, versions and releases.',
    parameters: ['idSite'],
    async handler(call) {
      const siteId = call.params.requiredInt('idSite');
      call.access.ensure('view', [siteId]);
      const rows = await call.tenant.db().selectFrom('tagmanager_container').select('idcontainer').where('idsite', '=', siteId).orderBy('created_date').orderBy('idcontainer').execute();
      const containers: ApiValue[] = [];
      for (const row of rows) containers.push(await describeContainer(call, siteId, row.idcontainer));
      return containers;
    },
  },
  getContainer: {
    description: 'Returns one container with its draft, versions and releases.',
    parameters: ['idSite', 'idContainer'],
    async handler(call) {
      const { siteId, containerId } = await loadViewTarget(call);
      return describeContainer(call, siteId, containerId);
    },
  },
  createContainerVersion: {
    description: 'Copies the draft into a new version and returns its id.',
    parameters: ['idSite', 'idContainer', 'name', 'description'],
    async handler(call) {
      const { siteId, containerId } = await loadWriteTarget(call, 'write');
      return createVersionFromDraft(call.tenant.db(), siteId, containerId, { name: requireName(call.params), description: call.params.string('description') }, call.clock());
    },
  },
  publishContainerVersion: {
    description: 'Publishes a version to an environment: writes the container file of that environment, which this host serves.',
    parameters: ['idSite', 'idContainer', 'idContainerVersion', 'environment'],
    async handler(call) {
      // NOTE: Matomo also lets users with the publish capability publish; Footfall has no capabilities yet, so admin is required.
      const { siteId, containerId, container } = await loadWriteTarget(call, 'admin');
      const environment = ensureOneOf('environment', call.params.string('environment', LIVE_ENVIRONMENT), listEnvironments(call.tenant));
      const versionId = call.params.requiredInt('idContainerVersion');
      const content = await loadContainerContent(call.tenant.db(), siteId, containerId, versionId, environment);
      publishContainerFile(call.tenant, container, content, readEnvironment({}).codeRoot);
      await saveRelease(call.tenant.db(), {
        idcontainer: containerId, idcontainerversion: versionId, idsite: siteId, environment,
        release_login: call.access.login, release_date: formatUtcDateTime(call.clock()),
      });
      call.logger.info({ tenant: call.tenant.key, idSite: siteId, idContainer: containerId, idContainerVersion: versionId, environment }, 'container published');
      return API_SUCCESS;
    },
  },
  getContainerEmbedCode: {
    description: 'Returns the code that loads the container of an environment on a page.',
    parameters: ['idSite', 'idContainer', 'environment'],
    async handler(call) {
      const { container } = await loadViewTarget(call);
      const environment = ensureOneOf('environment', call.params.string('environment', LIVE_ENVIRONMENT), listEnvironments(call.tenant));
      return buildEmbedCode(call.origin.host, buildContainerFileName(call.tenant, container, environment));
    },
  },
  getAvailableEnvironments: {
    description: 'Returns the environments a container version can be published to.',
    parameters: [],
    async handler(call) {
      call.access.ensureSomeViewAccess();
      return listEnvironments(call.tenant).map((id) => ({ id, name: id }));
    },
  },
  enablePreviewMode: {
    description: "Shows the container's current draft, instead of its live version, to the calling user's browser.",
    parameters: ['idSite', 'idContainer'],
    differences: 'The preview file is served only with the session cookie of the user who enabled it, while that user can write to the site; docs/tag-manager.md describes the flow.',
    async handler(call) {
      const { siteId, containerId } = await loadWriteTarget(call, 'write');
      await saveRelease(call.tenant.db(), {
        idcontainer: containerId, idcontainerversion: await loadDraftVersionId(call.tenant.db(), siteId, containerId), idsite: siteId,
        environment: PREVIEW_ENVIRONMENT, release_login: call.access.login, release_date: formatUtcDateTime(call.clock()),
      });
      call.logger.info({ tenant: call.tenant.key, idSite: siteId, idContainer: containerId, login: call.access.login }, 'container preview enabled');
      return API_SUCCESS;
    },
  },
  disablePreviewMode: {
    description: 'Ends the preview of a container, whoever enabled it.',
    parameters: ['idSite', 'idContainer'],
    async handler(call) {
      const { siteId, containerId } = await loadWriteTarget(call, 'write');
      await deleteRelease(call.tenant.db(), siteId, containerId, PREVIEW_ENVIRONMENT);
      return API_SUCCESS;
    },
  },
};

/** Descriptions of the module's parameters, for the generated API docs. */
const PARAMETER_DESCRIPTIONS: Record<string, string> = {
  idSite: 'Site id.',
  idContainer: 'Container id: 8 letters and digits.',
  idContainerVersion: 'Version id.',
  context: "Container context; only 'web'.",
  name: 'Name, at most 255 characters.',
  description: 'Free text.',
  environment: "'live' by default, or an environment that TagManager.getAvailableEnvironments returns.",
};

const REQUIRED_PARAMETERS = new Set(['idSite', 'idContainer', 'name']);

const DIFFERENCES = 'Footfall supports the web context and the tag, trigger and variable types listed in docs/tag-manager.md.';

/** Registers every `TagManager.*` method. */
export function registerTagManagerModule(registry: ApiMethodRegistry): void {
  for (const [action, method] of Object.entries(HANDLERS)) {
    registry.register({
      name: `TagManager.${action}`,
      description: method.description,
      parameters: method.parameters.map((name) => ({ name, description: PARAMETER_DESCRIPTIONS[name] ?? name, required: REQUIRED_PARAMETERS.has(name) })),
      differences: method.differences ?? DIFFERENCES,
      handler: method.handler,
    });
  }
  registerTagManagerPartsModule(registry, DIFFERENCES);
}
