using Akka.Configuration;

namespace Experiments.Actors;

/// <summary>The Akka settings the actors need: the pinned dispatcher every trainer runs on.</summary>
public static class ActorsConfig
{
    /// <summary>One dedicated thread per trainer: torch's thread count and dispose scopes are per thread.</summary>
    public const string Hocon = """
        experiments.trainer-dispatcher {
          type = PinnedDispatcher
          executor = thread-pool-executor
          thread-pool-executor.allow-core-timeout = off
        }
        """;

    public static Config Config => ConfigurationFactory.ParseString(Hocon);
}
