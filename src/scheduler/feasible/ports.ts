/**
 * Static host ports: each must be neither reserved by the agent (the instance's PORTS / PORTS_UDP, e.g. 22 and
 * the agent's own 51678-51680) nor held by another task on the instance, whether that task bound it statically
 * or Docker gave it out dynamically. Two containers can't listen on one host port, so a second task asking for
 * it could never start.
 */
import { REASONS } from '../reasons.js';
import type { Checker } from './checker.js';

export const tcpPortsFree: Checker = {
  name: 'ports-tcp',
  check: (instance, task) =>
    task.tcpPorts.every((p) => !instance.capacity.reservedTcpPorts.has(p) && !instance.used.tcpPorts.has(p))
      ? undefined
      : REASONS.ports,
};

export const udpPortsFree: Checker = {
  name: 'ports-udp',
  check: (instance, task) =>
    task.udpPorts.every((p) => !instance.capacity.reservedUdpPorts.has(p) && !instance.used.udpPorts.has(p))
      ? undefined
      : REASONS.ports_udp,
};
