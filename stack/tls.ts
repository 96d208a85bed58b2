// The local stack's TLS material, made with openssl: a CA of its own and a broker certificate it signed for
// localhost and 127.0.0.1. The TLS Kafka and the TLS Pulsar each make theirs once and keep it.
import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where a service keeps its TLS files (under `<serviceDir>/tls`). */
export function tlsFiles(serviceDir: string) {
  const tls = join(serviceDir, 'tls');
  return {
    tls,
    caKey: join(tls, 'ca.key.pem'),
    caCert: join(tls, 'ca.cert.pem'),
    brokerKey: join(tls, 'broker.key.pem'),
    brokerCsr: join(tls, 'broker.csr.pem'),
    brokerCert: join(tls, 'broker.cert.pem'),
    brokerExt: join(tls, 'broker.ext.cnf'),
  };
}

export interface CaAndBrokerOptions {
  /** The CA's common name (shows in certificate errors: say which stack service it belongs to). */
  caName: string;
  /** Also usable as a client certificate (Kafka's inter-broker connections present it). */
  clientAuth?: boolean;
}

/** Makes the CA (key + self-signed certificate) and the broker's key and certificate; keys are mode 0600. */
export async function makeCaAndBrokerCertificate(serviceDir: string, options: CaAndBrokerOptions): Promise<void> {
  const f = tlsFiles(serviceDir);
  await mkdir(f.tls, { recursive: true, mode: 0o700 });
  const openssl = (...args: string[]) => run('openssl', args, { cwd: f.tls });
  // prettier-ignore
  await openssl(
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650',
    '-keyout', f.caKey, '-out', f.caCert, '-subj', `/CN=${options.caName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  );
  // genpkey writes PKCS#8 ("BEGIN PRIVATE KEY"), the form Pulsar's Netty TLS accepts (and openssl pkcs12 too).
  await openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', f.brokerKey);
  await openssl('req', '-new', '-key', f.brokerKey, '-out', f.brokerCsr, '-subj', '/CN=localhost');
  await writeFile(
    f.brokerExt,
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' +
      `keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth${options.clientAuth ? ',clientAuth' : ''}\n`,
  );
  // prettier-ignore
  await openssl(
    'x509', '-req', '-in', f.brokerCsr, '-CA', f.caCert, '-CAkey', f.caKey, '-CAcreateserial',
    '-days', '3650', '-sha256', '-extfile', f.brokerExt, '-out', f.brokerCert,
  );
  await Promise.all([chmod(f.caKey, 0o600), chmod(f.brokerKey, 0o600)]);
}
