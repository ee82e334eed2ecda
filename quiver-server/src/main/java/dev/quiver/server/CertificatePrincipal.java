package dev.quiver.server;

import dev.quiver.core.security.Principal;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The {@link Principal} of a verified client certificate (mutual TLS): method {@code mtls}, the
 * subject's common name (CN) as its name (the whole subject when it has no CN), and the subject's
 * organizational units (OU) as its roles. {@code CN=scorer,OU=risk-team,OU=ml,O=Acme} is {@code
 * scorer} with roles {@code risk-team} and {@code ml}. Stateless, thread-safe.
 */
public final class CertificatePrincipal {
  /** {@link Principal#method()} of a principal established by a client certificate. */
  public static final String METHOD = "mtls";

  private CertificatePrincipal() {}

  /** The principal of {@code certificate}'s subject; never null. */
  public static Principal of(X509Certificate certificate) {
    String subject = certificate.getSubjectX500Principal().getName();
    String cn = null;
    Set<String> roles = new LinkedHashSet<>();
    try {
      for (Rdn rdn : new LdapName(subject).getRdns()) {
        String value = String.valueOf(rdn.getValue()).strip();
        if (rdn.getType().equalsIgnoreCase("CN") && cn == null && !value.isEmpty()) {
          cn = value;
        } else if (rdn.getType().equalsIgnoreCase("OU") && !value.isEmpty()) {
          roles.add(value);
        }
      }
    } catch (InvalidNameException e) { // RFC 2253 names from the JDK always parse; keep the subject whole
      cn = null;
    }
    return new Principal(cn == null || cn.isBlank() ? (subject.isBlank() ? "unnamed-certificate" : subject) : cn, roles, METHOD);
  }

  /**
   * The principal of the verified client certificate of a TLS session, or null when the session has no
   * client certificate (TLS without a client CA, or a plaintext connection: {@code session} null).
   */
  public static Principal of(SSLSession session) {
    if (session == null) {
      return null;
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate x ? of(x) : null;
    } catch (SSLPeerUnverifiedException none) {
      return null;
    }
  }
}
