import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ORG_PERMISSION, type OrgPermissionRequirement } from '@/platform/http/authorization/require-org-permission.decorator';

/** The owner and organization of an org-scoped resource (workflow, integration, ...). */
export interface OrgResourceRef {
  ownerId: string;
  organizationId: string | null;
}

export type OrgResourceLoader = (id: string) => Promise<OrgResourceRef | null>;

/**
 * Loaders that tell the permission guard which organization a resource belongs to, by
 * resource type. A domain registers its type once (e.g. in `onModuleInit`):
 * `registry.register('workflow', (id) => this.workflows.ownerOf(id))`. At boot every
 * `@RequireOrgPermission(..., { from: { resource } })` is checked against the registry, so
 * a missing loader stops the boot instead of failing requests.
 */
@Injectable()
export class OrgResourceRegistry implements OnApplicationBootstrap {
  private readonly loaders = new Map<string, OrgResourceLoader>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  register(type: string, loader: OrgResourceLoader): void {
    if (this.loaders.has(type)) throw new Error(`org resource type "${type}" is registered twice`);
    this.loaders.set(type, loader);
  }

  loader(type: string): OrgResourceLoader {
    const loader = this.loaders.get(type);
    if (!loader) throw new Error(`no org resource loader registered for "${type}"`);
    return loader;
  }

  onApplicationBootstrap(): void {
    const missing = new Set<string>();
    for (const wrapper of this.discovery.getControllers()) {
      const proto = (wrapper.instance as object | undefined) && Object.getPrototypeOf(wrapper.instance);
      if (!proto) continue;
      for (const name of this.scanner.getAllMethodNames(proto)) {
        const req = this.reflector.get<OrgPermissionRequirement | undefined>(ORG_PERMISSION, proto[name]);
        const from = req?.from;
        if (from && 'resource' in from && !this.loaders.has(from.resource)) {
          missing.add(`${from.resource} (${wrapper.name}.${name})`);
        }
      }
    }
    if (missing.size) throw new Error(`org resource types without a registered loader: ${[...missing].join(', ')}`);
  }
}
