/**
 * n8n-core's SSH tunnel manager (created with every execution context) starts a one-minute
 * cleanup interval that would keep jest alive after the last test; n8n itself stops it on exit.
 */
import { Container } from '@n8n/di';
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';

afterAll(() => {
	if (Container.has(SSHClientsManager)) Container.get(SSHClientsManager).onShutdown();
});
