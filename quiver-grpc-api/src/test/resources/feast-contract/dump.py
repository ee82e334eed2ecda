# Dumps the contract of Feast's serving and registry protos (packages, messages, fields with numbers and
# types, enums, services; feast/core/*.proto as far as feast/registry/RegistryServer.proto needs them) in the line format FeastContractTest compares Quiver's descriptors with.
# Regenerate after a Feast upgrade, in a virtualenv with Feast installed:
#   python dump.py > feast-0.67.txt
from feast.protos.feast.registry import RegistryServer_pb2
from feast.protos.feast.serving import ServingService_pb2
from feast.protos.feast.types import Value_pb2
from google.protobuf import descriptor_pb2


def dump_message(prefix, m, lines):
    name = prefix + "." + m.name
    for f in m.field:
        oneof = m.oneof_decl[f.oneof_index].name if f.HasField("oneof_index") else ""
        lines.append("field %s.%s = %d %s %s %s %s" % (
            name, f.name, f.number,
            descriptor_pb2.FieldDescriptorProto.Label.Name(f.label),
            descriptor_pb2.FieldDescriptorProto.Type.Name(f.type),
            f.type_name or "-", oneof or "-"))
    for e in m.enum_type:
        dump_enum(name, e, lines)
    for n in m.nested_type:
        dump_message(name, n, lines)
    lines.append("message " + name)


def dump_enum(prefix, e, lines):
    for v in e.value:
        lines.append("enum %s.%s %s = %d" % (prefix, e.name, v.name, v.number))


def registry_files():
    seen = {}

    def walk(d):
        if d.name not in seen:
            seen[d.name] = d
            for dep in d.dependencies:
                walk(dep)

    walk(RegistryServer_pb2.DESCRIPTOR)
    return [d for name, d in sorted(seen.items()) if name.startswith(("feast/core/", "feast/registry/"))]


for descriptor in [Value_pb2.DESCRIPTOR, ServingService_pb2.DESCRIPTOR] + registry_files():
    fd = descriptor_pb2.FileDescriptorProto()
    descriptor.CopyToProto(fd)
    lines = ["file %s package %s" % (fd.name, fd.package)]
    for dep in fd.dependency:
        lines.append("import %s %s" % (fd.name, dep))
    prefix = "." + fd.package
    for m in fd.message_type:
        dump_message(prefix, m, lines)
    for e in fd.enum_type:
        dump_enum(prefix, e, lines)
    for s in fd.service:
        for meth in s.method:
            lines.append("rpc %s.%s.%s(%s) returns (%s)" % (
                prefix, s.name, meth.name, meth.input_type, meth.output_type))
    for line in sorted(lines):
        print(line)
