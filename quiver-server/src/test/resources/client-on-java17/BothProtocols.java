import dev.quiver.client.FeatureClient;
import dev.quiver.client.FeatureServerException;
import dev.quiver.client.OnlineFeatures;
import dev.quiver.client.OnlineFeaturesRequest;
import java.util.List;

/** A Java 17 application using quiver-client over gRPC and HTTP; ClientOnJava17Test reads what it prints. */
public class BothProtocols {
  public static void main(String[] args) {
    String host = args[0];
    System.out.println("java " + Runtime.version().feature());
    try (FeatureClient grpc = FeatureClient.grpc(host, Integer.parseInt(args[2]));
         FeatureClient http = FeatureClient.http("http://" + host + ":" + args[1])) {
      for (FeatureClient client : List.of(grpc, http)) {
        String protocol = client == grpc ? "grpc" : "http";
        OnlineFeatures f = client.getOnlineFeatures(OnlineFeaturesRequest.features("user_stats:amount", "user_stats:country")
            .entity("user_id", 2L, 999999L));
        System.out.println(protocol + " " + f.names() + " " + f.value("amount", 0) + " " + f.status("amount", 0) + " "
            + f.status("amount", 1) + " " + f.value("country", 0));
        OnlineFeatures risk = client.getOnlineFeatures(OnlineFeaturesRequest.service("risk").entity("user_id", 2L)
            .requestData("txn_amount", 30.0).withFeatureViewMetadata(true));
        System.out.println(protocol + " risk " + risk.value("amount_ratio", 0) + " from " + risk.featureViewMetadata());
        System.out.println(protocol + " version " + client.serverVersion());
        try {
          client.getOnlineFeatures(OnlineFeaturesRequest.features("user_stats:nope").entity("user_id", 1L));
        } catch (FeatureServerException e) {
          System.out.println(protocol + " error " + e.code() + " " + e.clientError());
        }
      }
    }
  }
}
