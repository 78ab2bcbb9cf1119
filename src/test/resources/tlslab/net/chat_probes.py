# tlsfuzzer conversations written for the lab chat server, which (unlike the HTTP servers
# tlsfuzzer's own scripts expect) sends a welcome line as soon as the handshake completes.
# Usage: PYTHONPATH=<tlsfuzzer> python3 chat_probes.py PORT
# Prints "PASS name" or "FAIL name: reason" per probe; exits 1 if any probe failed.
import sys
import traceback

from tlsfuzzer.runner import Runner
from tlsfuzzer.messages import Connect, ClientHelloGenerator, FinishedGenerator, \
    KeyUpdateGenerator, ApplicationDataGenerator, TCPBufferingEnable, TCPBufferingDisable, \
    TCPBufferingFlush
from tlsfuzzer.expect import ExpectServerHello, ExpectChangeCipherSpec, \
    ExpectEncryptedExtensions, ExpectCertificate, ExpectCertificateVerify, ExpectFinished, \
    ExpectNewSessionTicket, ExpectApplicationData, ExpectAlert, ExpectClose
from tlslite.constants import CipherSuite, AlertLevel, AlertDescription, TLS_1_3_DRAFT, \
    GroupName, ExtensionType, SignatureScheme
from tlslite.extensions import SupportedVersionsExtension, SupportedGroupsExtension, \
    SignatureAlgorithmsExtension, SignatureAlgorithmsCertExtension
from tlsfuzzer.helpers import key_share_ext_gen, RSA_SIG_ALL


def tls13_until_server_finished(host, port):
    conversation = Connect(host, port)
    node = conversation
    ciphers = [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV]
    groups = [GroupName.secp256r1]
    ext = {
        ExtensionType.key_share: key_share_ext_gen(groups),
        ExtensionType.supported_versions:
            SupportedVersionsExtension().create([TLS_1_3_DRAFT, (3, 3)]),
        ExtensionType.supported_groups: SupportedGroupsExtension().create(groups),
        ExtensionType.signature_algorithms:
            SignatureAlgorithmsExtension().create([SignatureScheme.rsa_pss_rsae_sha256]),
        ExtensionType.signature_algorithms_cert:
            SignatureAlgorithmsCertExtension().create(RSA_SIG_ALL),
    }
    node = node.add_child(ClientHelloGenerator(ciphers, extensions=ext))
    node = node.add_child(ExpectServerHello())
    node = node.add_child(ExpectChangeCipherSpec())
    node = node.add_child(ExpectEncryptedExtensions())
    node = node.add_child(ExpectCertificate())
    node = node.add_child(ExpectCertificateVerify())
    node = node.add_child(ExpectFinished())
    return conversation, node


def bad_key_update_with_finished(host, port, msg_type):
    """Finished and a KeyUpdate with an undefined request_update in one segment (RFC 8446
    §4.6.3: illegal_parameter). The server's ticket and welcome line are queued when the
    KeyUpdate is read; the alert must still follow them."""
    conversation, node = tls13_until_server_finished(host, port)
    node = node.add_child(TCPBufferingEnable())
    node = node.add_child(FinishedGenerator())
    node = node.add_child(KeyUpdateGenerator(message_type=msg_type))
    node = node.add_child(TCPBufferingDisable())
    node = node.add_child(TCPBufferingFlush())
    cycle = ExpectNewSessionTicket()
    node = node.add_child(cycle)
    node.add_child(cycle)
    node.next_sibling = ExpectApplicationData()  # the welcome line
    node = node.next_sibling
    node = node.add_child(ExpectAlert(AlertLevel.fatal, AlertDescription.illegal_parameter))
    node.add_child(ExpectClose())
    return conversation


def main():
    port = int(sys.argv[1])
    host = "127.0.0.1"
    probes = {}
    for msg_type in (2, 3, 5, 255):
        probes["bad KeyUpdate {0} with Finished".format(msg_type)] = \
            bad_key_update_with_finished(host, port, msg_type)
    failed = 0
    for name, conversation in probes.items():
        try:
            Runner(conversation).run()
            print("PASS " + name)
        except Exception as e:  # a failed probe: report it, go on with the next
            failed += 1
            print("FAIL " + name + ": " + str(e).splitlines()[0])
            traceback.print_exc(file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
