package tlslab.pki.internal;

import java.security.PrivateKey;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/** BouncyCastle signers and digests for what the CA signs besides certificates: CRLs, OCSP. */
public final class CaSigning {
  private CaSigning() {}

  /** A signer with the CA's key: SHA-256 with RSA or ECDSA, as for certificates. */
  public static ContentSigner signer(PrivateKey caKey) {
    try {
      return new JcaContentSignerBuilder(Crypto.signatureAlgorithm(caKey))
          .setProvider(Crypto.BC)
          .build(caKey);
    } catch (OperatorCreationException e) {
      throw new AssertionError("BouncyCastle cannot sign with " + caKey.getAlgorithm(), e);
    }
  }

  /** Digests for OCSP certificate IDs (SHA-1 and SHA-256 both occur, RFC 6960 4.1.1). */
  public static DigestCalculatorProvider digests() {
    try {
      return new JcaDigestCalculatorProviderBuilder().setProvider(Crypto.BC).build();
    } catch (OperatorCreationException e) {
      throw new AssertionError("BouncyCastle has no digest provider", e);
    }
  }
}
