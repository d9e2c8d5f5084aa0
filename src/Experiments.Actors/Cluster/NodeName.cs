using Akka.Actor;

namespace Experiments.Actors.Cluster;

/// <summary>The name a node goes by in logs and in GET /workers: host:port of its remoting address, else this machine's name.</summary>
public static class NodeName
{
    public static string Of(ActorSystem system) =>
        system is ExtendedActorSystem extended && extended.Provider.DefaultAddress is { Host: { } host, Port: { } port }
            ? $"{host}:{port}"
            : Environment.MachineName;
}
