package dev.quiver.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors.FileDescriptor;
import dev.quiver.grpc.feast.registry.RegistryServerProto;
import dev.quiver.grpc.feast.serving.ServingAPIProto;
import dev.quiver.grpc.feast.types.ValueProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Quiver's {@code .proto} files declare exactly Feast's serving and registry contracts: every package, message,
 * field (name, number, label, type), enum value and RPC of Feast 0.67's {@code feast/types/Value.proto},
 * {@code feast/serving/ServingService.proto}, {@code feast/registry/RegistryServer.proto} and the
 * {@code feast/core/*.proto} files it imports, compared line by line with a dump of the descriptors Feast's
 * Python package ships ({@code feast-contract/dump.py} says how to regenerate it; {@code protogen.py} wrote
 * the registry's {@code .proto} files from the same descriptors).
 */
class FeastContractTest {

  @Test
  void theDescriptorsAreFeasts() throws IOException {
    List<String> ours = new ArrayList<>();
    ours.addAll(dump(ValueProto.getDescriptor().toProto()));
    ours.addAll(dump(ServingAPIProto.getDescriptor().toProto()));
    for (FileDescriptor file : registryFiles()) {
      ours.addAll(dump(file.toProto()));
    }
    assertThat(ours).containsExactlyElementsOf(feasts());
  }

  @Test
  void theRegistryServiceIsThere() {
    List<String> registry = dump(RegistryServerProto.getDescriptor().toProto());
    assertThat(registry).contains(
        "rpc .feast.registry.RegistryServer.GetFeatureView(.feast.registry.GetFeatureViewRequest) returns (.feast.core.FeatureView)",
        "rpc .feast.registry.RegistryServer.Proto(.google.protobuf.Empty) returns (.feast.core.Registry)");
    assertThat(registryFiles()).extracting(FileDescriptor::getName).contains("feast/core/Registry.proto",
        "feast/core/OnDemandFeatureView.proto", "feast/core/Aggregation.proto", "feast/registry/RegistryServer.proto");
  }

  /** RegistryServer.proto and the feast/core files it needs, transitively, sorted by name (as dump.py does). */
  private static List<FileDescriptor> registryFiles() {
    TreeMap<String, FileDescriptor> seen = new TreeMap<>();
    List<FileDescriptor> todo = new ArrayList<>(List.of(RegistryServerProto.getDescriptor()));
    while (!todo.isEmpty()) {
      FileDescriptor file = todo.remove(todo.size() - 1);
      if (seen.putIfAbsent(file.getName(), file) == null) {
        todo.addAll(file.getDependencies());
      }
    }
    seen.keySet().removeIf(name -> !name.startsWith("feast/core/") && !name.startsWith("feast/registry/"));
    return new ArrayList<>(seen.values());
  }

  @Test
  void theFieldsFeast067AddedAreThere() {
    assertThat(dump(ServingAPIProto.getDescriptor().toProto())).contains(
        "field .feast.serving.GetOnlineFeaturesRequest.include_feature_view_version_metadata = 6 LABEL_OPTIONAL TYPE_BOOL - -",
        "field .feast.serving.GetOnlineFeaturesResponse.status = 3 LABEL_OPTIONAL TYPE_BOOL - -",
        "field .feast.serving.GetOnlineFeaturesResponseMetadata.feature_view_metadata = 2 LABEL_REPEATED TYPE_MESSAGE"
            + " .feast.serving.FeatureViewMetadata -");
  }

  private static List<String> feasts() throws IOException {
    try (InputStream in = FeastContractTest.class.getResourceAsStream("/feast-contract/feast-0.67.txt")) {
      assertThat(in).as("the Feast contract dump is a test resource").isNotNull();
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return Arrays.stream(text.split("\n")).filter(line -> !line.isBlank()).collect(Collectors.toList());
    }
  }

  /** One file's contract in dump.py's line format, sorted (as Python sorts ASCII). */
  private static List<String> dump(FileDescriptorProto file) {
    List<String> lines = new ArrayList<>();
    lines.add("file " + file.getName() + " package " + file.getPackage());
    for (String dependency : file.getDependencyList()) {
      lines.add("import " + file.getName() + " " + dependency);
    }
    String prefix = "." + file.getPackage();
    for (DescriptorProto message : file.getMessageTypeList()) {
      message(prefix, message, lines);
    }
    for (EnumDescriptorProto e : file.getEnumTypeList()) {
      enumeration(prefix, e, lines);
    }
    for (ServiceDescriptorProto service : file.getServiceList()) {
      for (MethodDescriptorProto method : service.getMethodList()) {
        lines.add("rpc " + prefix + "." + service.getName() + "." + method.getName() + "(" + method.getInputType()
            + ") returns (" + method.getOutputType() + ")");
      }
    }
    lines.sort(null);
    return lines;
  }

  private static void message(String prefix, DescriptorProto message, List<String> lines) {
    String name = prefix + "." + message.getName();
    for (FieldDescriptorProto f : message.getFieldList()) {
      String oneof = f.hasOneofIndex() ? message.getOneofDecl(f.getOneofIndex()).getName() : "-";
      lines.add("field " + name + "." + f.getName() + " = " + f.getNumber() + " " + f.getLabel().name() + " "
          + f.getType().name() + " " + (f.getTypeName().isEmpty() ? "-" : f.getTypeName()) + " " + oneof);
    }
    for (EnumDescriptorProto e : message.getEnumTypeList()) {
      enumeration(name, e, lines);
    }
    for (DescriptorProto nested : message.getNestedTypeList()) {
      message(name, nested, lines);
    }
    lines.add("message " + name);
  }

  private static void enumeration(String prefix, EnumDescriptorProto e, List<String> lines) {
    e.getValueList().forEach(v -> lines.add("enum " + prefix + "." + e.getName() + " " + v.getName() + " = " + v.getNumber()));
  }
}
