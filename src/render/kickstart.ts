// ks.cfg: the bastion's unattended install. Secrets are revealed here, because the installer
// needs the password hashes (and a LUKS passphrase) in the file itself; the only other place is
// the bundle's bmc-secrets.json, for the agent.
import { FyrError } from '../errors.js';
import { netmaskOf } from '../site/index.js';
import { renderTemplate } from './engine.js';
import { AGENT_DIR, AGENT_UNIT, SYSIMAGE } from '../formats/bastion-layout.js';
import { MEDIA_AGENT, MEDIA_DIR, MEDIA_LIVEIMG, MEDIA_ROOT, MEDIA_SITE_TAR } from '../formats/media-layout.js';
import { bastionPackages, MODULE_STREAMS } from './packages.js';
import type { SiteView } from './view.js';

export function renderKickstart(view: SiteView): string {
  const { site } = view;
  const secret = (name: string): string => {
    const value = site.secrets.reveal(name);
    // Validation with secrets (SECRET_MISSING) guarantees every value; its absence is a bug.
    if (value === undefined) throw new FyrError('INTERNAL', `secret "${name}" is not loaded after validation`);
    return value;
  };
  const wan = site.network.wan;
  return renderTemplate('kickstart', 'ks.cfg.ejs', {
    ...view,
    secret,
    wanNetmask: wan.mode === 'static' ? netmaskOf(wan.prefix) : undefined,
    packages: bastionPackages(view.options.os),
    modules: MODULE_STREAMS[view.options.os],
    mediaRoot: MEDIA_ROOT,
    media: { dir: MEDIA_DIR, liveimg: MEDIA_LIVEIMG, siteTar: MEDIA_SITE_TAR, agent: MEDIA_AGENT },
    sysimage: SYSIMAGE,
    agentDir: AGENT_DIR,
    agentUnit: AGENT_UNIT,
  });
}
