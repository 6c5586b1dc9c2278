// openshift-install's waits against the fake cluster (installer cmd/openshift-install/create.go
// and command/waitfor.go): `wait-for bootstrap-complete` brings the API up and, as the bootstrap
// node's approve-csr.sh does until bootkube is done, approves every pending CSR so the control
// planes join; `wait-for install-complete` watches the ClusterVersion until it is Available and
// neither Failing nor Progressing, then each operator until it has not progressed for 30 s.
// Lines print as the installer's console logger does (INFO on stdout, ERROR/FATAL on stderr).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { approve, tick } from './controller.mjs';
import { condition, isFalse, isTrue } from './objects.mjs';
import { apiServing, machineUp } from './power.mjs';
import { update } from './state.mjs';
import { formatGoDuration, sleep, timeScale } from './util.mjs';

// Go's time.Kitchen ("3:04PM") and the zone, as "(until 3:04PM UTC)".
function until(ms) {
  const d = new Date(ms);
  const h = d.getUTCHours();
  return `${h % 12 === 0 ? 12 : h % 12}:${String(d.getUTCMinutes()).padStart(2, '0')}${h < 12 ? 'AM' : 'PM'} UTC`;
}

const info = (line) => process.stdout.write(`INFO ${line}\n`);
const error = (line) => process.stderr.write(`ERROR ${line}\n`);

export async function waitForBootstrapComplete(doublesDir) {
  const start = Date.now();
  const cluster = update(doublesDir, (state) => {
    state.api.up = true;
    return state.cluster;
  });
  info(
    `Waiting up to 20m0s (until ${until(start + 20 * 60_000)}) for the Kubernetes API at https://${cluster.apiServer}...`,
  );
  info(`API v${cluster.kubeVersion} up`);
  info(`Waiting up to 30m0s (until ${until(Date.now() + 30 * 60_000)}) for bootstrapping to complete...`);
  for (let round = 0; ; round++) {
    const { joined, booting } = update(doublesDir, (state) => {
      tick(doublesDir, state, Date.now());
      if (state.cluster.bootstrapApproves && !state.bootstrap.complete)
        for (const [name, c] of Object.entries(state.objects.certificatesigningrequests))
          if (!(c.status.conditions ?? []).length) approve(state, name, 'bootstrap', Date.now());
      tick(doublesDir, state, Date.now());
      const done =
        !state.cluster.bootstrapApproves ||
        state.machines.filter((m) => m.role === 'control-plane').every((m) => m.served);
      if (done) state.bootstrap.complete = true;
      // Control planes powered on but still booting (machines with a chassis) are waited for.
      const now = Date.now();
      const booting = state.machines.some((m) => m.role === 'control-plane' && m.power === 'on' && !machineUp(m, now));
      return { joined: done, booting };
    });
    if (joined || (round >= 9 && !booting)) break;
    if (booting) await sleep(100);
  }
  info('Waiting for the bootstrap etcd member to be removed...');
  info('Bootstrap etcd member has been removed');
  info('It is now safe to remove the bootstrap resources');
  info(`Time elapsed: ${formatGoDuration(Date.now() - start)}`);
  return 0;
}

function operatorConditionLines(operators) {
  for (const co of operators)
    for (const c of co.status?.conditions ?? []) {
      if (c.type === 'Upgradeable') continue;
      if (c.type === 'Available' && c.status === 'True') continue;
      if ((c.type === 'Degraded' || c.type === 'Progressing') && c.status === 'False') continue;
      const line = `Cluster operator ${co.metadata.name} ${c.type} is ${c.status} with ${c.reason ?? ''}: ${c.message ?? ''}`;
      if (c.type === 'Available' || c.type === 'Degraded') error(line);
      else info(line);
    }
}

function troubleshooting() {
  error('Cluster initialization failed because one or more operators are not functioning properly.');
  error('The cluster should be accessible for troubleshooting as detailed in the documentation linked below,');
  error(
    'https://docs.openshift.com/container-platform/latest/support/troubleshooting/troubleshooting-installations.html',
  );
  error("The 'wait-for install-complete' subcommand can then be used to continue the installation");
}

// The wait gives up after FYR_DOUBLE_INSTALL_TIMEOUT_S (default 120) seconds, where the real
// installer waits 40 minutes (60 on bare metal).
// A test holds the install short of complete while a file `hold-install-complete` is in the
// doubles directory (the lab: until its stray machine has PXE-booted, before finish turns PXE
// off); a real install takes as long as its cluster does.
export const HOLD_INSTALL_COMPLETE = 'hold-install-complete';

export async function waitForInstallComplete(doublesDir, installDir) {
  while (existsSync(resolve(doublesDir, HOLD_INSTALL_COMPLETE))) await sleep(200);
  const start = Date.now();
  const budget = Number(process.env.FYR_DOUBLE_INSTALL_TIMEOUT_S ?? '120') * 1000;
  const look = () =>
    update(doublesDir, (state) => {
      const now = Date.now();
      tick(doublesDir, state, now);
      return apiServing(state, now)
        ? {
            cluster: state.cluster,
            cv: state.objects.clusterversions.version,
            operators: Object.values(state.objects.clusteroperators),
          }
        : { cluster: state.cluster };
    });
  let seen = look();
  info(
    `Waiting up to 40m0s (until ${until(start + 40 * 60_000)}) for the cluster at https://${seen.cluster.apiServer} to initialize...`,
  );
  let lastError = '';
  for (;;) {
    const c = seen.cv?.status.conditions;
    if (c && isTrue(c, 'Available') && isFalse(c, 'Failing') && isFalse(c, 'Progressing')) break;
    if (c && isTrue(c, 'Failing')) lastError = condition(c, 'Failing').message;
    else if (c && isTrue(c, 'Progressing')) lastError = condition(c, 'Progressing').message;
    if (Date.now() - start > budget) {
      if (seen.operators) operatorConditionLines(seen.operators);
      else
        error(
          `Attempted to gather ClusterOperator status after wait failure: listing ClusterOperator objects: Get "https://${seen.cluster.apiServer}/apis/config.openshift.io/v1/clusteroperators": dial tcp: connect: connection refused`,
        );
      troubleshooting();
      process.stderr.write(
        `FATAL failed to initialize the cluster${lastError ? `: ${lastError}` : ': context deadline exceeded'}\n`,
      );
      return 1;
    }
    await sleep(200);
    seen = look();
  }
  // waitForStableOperators: each operator Progressing=False for more than 30 s.
  info(
    `Waiting up to 30m0s (until ${until(Date.now() + 30 * 60_000)}) to ensure each cluster operator has finished progressing...`,
  );
  const threshold = 30_000 / timeScale();
  const stableStart = Date.now();
  for (;;) {
    const unstable = seen.operators
      .filter((co) => {
        const p = condition(co.status?.conditions, 'Progressing');
        return !(p?.status === 'False' && Date.now() - Date.parse(p.lastTransitionTime) > threshold);
      })
      .map((co) => co.metadata.name)
      .sort();
    if (unstable.length === 0) break;
    if (Date.now() - stableStart > budget) {
      error('Error checking cluster operator Progressing status: "context deadline exceeded"');
      error(`These cluster operators were not stable: [${unstable.join(', ')}]`);
      return 7; // ExitCodeOperatorStabilityFailed
    }
    await sleep(Math.min(1000, threshold / 4 + 50));
    seen = look();
  }
  info('All cluster operators have completed progressing');
  const { cluster } = seen;
  info('Checking to see if there is a route at openshift-console/console...');
  const dir = resolve(installDir);
  const pwFile = `${dir}/auth/kubeadmin-password`;
  info('Install complete!');
  info("To access the cluster as the system:admin user when using 'oc', run");
  info(`    export KUBECONFIG=${dir}/auth/kubeconfig`);
  info(
    `Access the OpenShift web-console here: https://console-openshift-console.apps.${cluster.name}.${cluster.baseDomain}`,
  );
  if (existsSync(pwFile))
    info(`Login to the console with user: "kubeadmin", and password: "${readFileSync(pwFile, 'utf8').trim()}"`);
  info(`Time elapsed: ${formatGoDuration(Date.now() - start)}`);
  return 0;
}
