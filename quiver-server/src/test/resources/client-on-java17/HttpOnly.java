import dev.quiver.client.FeatureClient;
import dev.quiver.client.OnlineFeatures;
import dev.quiver.client.OnlineFeaturesRequest;

/**
 * A Java 17 application using quiver-client over HTTP only, with gRPC and quiver-grpc-api excluded from
 * its classpath (only the client and Jackson); ClientOnJava17Test reads what it prints.
 */
public class HttpOnly {
  public static void main(String[] args) {
    System.out.println("java " + Runtime.version().feature());
    try (FeatureClient http = FeatureClient.http("http://" + args[0] + ":" + args[1])) {
      OnlineFeatures f = http.getOnlineFeatures(OnlineFeaturesRequest.service("scoring").entity("user_id", 4L)
          .withFullFeatureNames(true));
      System.out.println("http-only " + f.names() + " " + f.value("user_stats__amount", 0) + " "
          + f.status("user_stats__amount", 0));
    }
  }
}
