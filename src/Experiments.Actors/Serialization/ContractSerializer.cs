using Akka.Actor;
using Akka.Serialization;

namespace Experiments.Actors.Serialization;

/// <summary>
/// An Akka serializer over a <see cref="ContractTable"/>: the manifest says which contract the
/// bytes hold. Each table gets its own subclass with a fixed identifier (Akka stores the
/// identifier beside every journal row and chooses the deserializer by it).
/// </summary>
public abstract class ContractSerializer(ExtendedActorSystem system, ContractTable table) : SerializerWithStringManifest(system)
{
    public override string Manifest(object o) => table.ManifestOf(o);
    public override byte[] ToBinary(object obj) => table.Write(obj);
    public override object FromBinary(byte[] bytes, string manifest) => table.Read(manifest, bytes);
}

/// <summary>Everything the sweep actors journal (<see cref="JournalContracts"/>).</summary>
public sealed class JournalSerializer(ExtendedActorSystem system) : ContractSerializer(system, JournalContracts.Table)
{
    /// <summary>Fixed for good: journal rows written by this serializer carry it. (Akka reserves 0–100.)</summary>
    public const int Id = 5101;

    public override int Identifier => Id;
}
