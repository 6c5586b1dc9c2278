// Rules about extra WAN port forwards.
import type { Rule } from './context.js';

// Ports the bastion itself answers on the WAN side (SSH, ingress, API, machine config, Cockpit).
const BASTION_TCP_PORTS = [22, 80, 443, 6443, 22623, 9090];

// Each WAN port is forwarded once, and never one the bastion serves itself.
export const portForwardsAreFree: Rule = ({ site, report }) => {
  const seen = new Map<string, number>();
  site.network.portForwards.forEach((f, i) => {
    const key = `${f.protocol}/${f.port}`;
    const first = seen.get(key);
    if (first !== undefined) {
      report({
        code: 'PORT_FORWARD_DUPLICATE',
        path: ['network', 'portForwards', i, 'port'],
        message: `${key} is already forwarded by network.portForwards[${first}]`,
        expected: 'each WAN port forwarded once',
      });
      return;
    }
    seen.set(key, i);
    if (f.protocol === 'tcp' && BASTION_TCP_PORTS.includes(f.port)) {
      report({
        code: 'PORT_FORWARD_RESERVED',
        path: ['network', 'portForwards', i, 'port'],
        message: `tcp/${f.port} is served by the bastion itself`,
        expected: `a port other than ${BASTION_TCP_PORTS.join(', ')}`,
      });
    }
  });
  if (site.network.gateway === 'nat' && site.network.portForwards.length > 0) {
    report({
      severity: 'warning',
      code: 'PORT_FORWARD_UNNEEDED',
      path: ['network', 'portForwards'],
      message: 'with gateway nat the LAN is routed, so these forwards are usually unnecessary',
      expected: 'gateway pat, or no port forwards',
    });
  }
};
