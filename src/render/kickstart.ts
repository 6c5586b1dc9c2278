// ks.cfg: the bastion's unattended install. Sealed (the default), it holds no secret: the
// accounts are locked until the agent sets their hashes after unlock, and a LUKS passphrase is
// asked for at the console. Unsealed (--no-seal), the password hashes (and a LUKS passphrase)
// are revealed here, in the file itself.
import { netmaskOf } from '../site/index.js';
import { renderTemplate } from './engine.js';
import { AGENT_DIR, AGENT_FILES, AGENT_UNIT, SYSIMAGE } from '../formats/bastion-layout.js';
import { SEALED_SECRETS } from '../formats/sealed-secrets.js';
import { MEDIA_AGENT, MEDIA_DIR, MEDIA_LIVEIMG, MEDIA_ROOT, MEDIA_SITE_TAR } from '../formats/media-layout.js';
import { bastionPackages, MODULE_STREAMS } from './packages.js';
import { reveal } from './secrets.js';
import { isSealed, type SiteView } from './view.js';

export function renderKickstart(view: SiteView): string {
  const { site } = view;
  const wan = site.network.wan;
  return renderTemplate('kickstart', 'ks.cfg.ejs', {
    ...view,
    sealed: isSealed(view.options),
    // The agent's secrets on the bastion: sealed to the unlock code, or in clear.
    secretsFile: isSealed(view.options) ? SEALED_SECRETS : AGENT_FILES.secrets,
    secret: (name: string) => reveal(view, name),
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
