using System.Net;
using Akka.Configuration;
using Experiments.Actors.Cluster;

namespace Experiments.Host;

/// <summary>
/// Where a node of the cluster binds and whom it joins, and the Akka settings that follow:
/// remoting on HOST:PORT (127.0.0.1 unless told otherwise), the coordinator as the only seed,
/// and the split-brain resolver (keep-oldest: the coordinator's side stays, a lost worker is
/// downed ~10 s after its death, a worker cut off from the coordinator downs itself and joins
/// again). Binding beyond loopback needs the shared secret (EXPERIMENTS_CLUSTER_SECRET).
/// </summary>
public sealed record ClusterSettings(string Host, int Port, string SeedHost, int SeedPort, string Role, string Secret)
{
    public const string SystemName = "experiments";
    public const string DefaultHost = "127.0.0.1";

    public string NodeName => $"{Host}:{Port}";
    public string QueuePath => $"akka.tcp://{SystemName}@{SeedHost}:{SeedPort}/user/{ClusterProtocol.QueueName}";

    public static string SecretFromEnvironment() => Environment.GetEnvironmentVariable(ClusterSecret.Variable) ?? "";

    /// <summary>Null when these settings may be used, else why not (one sentence).</summary>
    public string? Problem()
    {
        if (Port is < 0 or > 65535) return $"--cluster-port {Port} is not a port (0-65535)";
        if (SeedPort is < 1 or > 65535) return $"{SeedHost}:{SeedPort}: not a port (1-65535)";
        if (!IsLoopback(Host) && string.IsNullOrEmpty(Secret))
            return $"remoting on {Host} is reachable from other machines: set {ClusterSecret.Variable} to a shared secret (the same on every node), or bind 127.0.0.1";
        return null;
    }

    private static bool IsLoopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>"HOST:PORT" of --join; null when it is not of that form.</summary>
    public static (string Host, int Port)? ParseEndpoint(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        return colon > 0 && int.TryParse(endpoint[(colon + 1)..], out var port) ? (endpoint[..colon], port) : null;
    }

    public Config ToConfig() => ConfigurationFactory.ParseString($$"""
        akka {
          actor.provider = cluster
          remote.dot-netty.tcp {
            hostname = "{{Host}}"
            port = {{Port}}
            # Files travel in 1 MiB chunks (~1.4 MB as base64 in JSON), up to 4 in flight (FileChunks): within a frame.
            maximum-frame-size = 4194304b
            send-buffer-size = 8388608b
            receive-buffer-size = 8388608b
          }
          cluster {
            seed-nodes = ["akka.tcp://{{SystemName}}@{{SeedHost}}:{{SeedPort}}"]
            roles = [{{Role}}]
            downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
            split-brain-resolver {
              active-strategy = keep-oldest
              stable-after = 5s
              keep-oldest.down-if-alone = off
            }
            failure-detector.acceptable-heartbeat-pause = 2s
            log-info-verbose = off
          }
        }
        """);
}
