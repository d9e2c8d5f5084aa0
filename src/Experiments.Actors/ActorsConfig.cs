using Akka.Configuration;

namespace Experiments.Actors;

/// <summary>The Akka settings the actors need: the pinned dispatcher every trainer runs on, and a coarser scheduler tick.</summary>
public static class ActorsConfig
{
    /// <summary>
    /// One dedicated thread per trainer (torch's thread count and dispose scopes are per thread),
    /// and nothing else waking up on the cores the trainers need.
    /// </summary>
    public const string Hocon = """
        # The scheduler's wheel ticks on a timer; at the default 10 ms its wake-ups took CPU from
        # the trainers (2-3 % of a core). Nothing here needs timing finer than a tenth of a second.
        akka.scheduler.tick-duration = 100ms
        # How long a sweep list waits for each sweep's status; a sweep that does not answer in time
        # (slow journal, recovering) is listed as not-responding. Below the HTTP API's 30 s.
        experiments.sweep-manager.status-timeout = 5s
        experiments.trainer-dispatcher {
          type = PinnedDispatcher
          executor = thread-pool-executor
          thread-pool-executor.allow-core-timeout = off
        }
        """;

    public static Config Config => ConfigurationFactory.ParseString(Hocon);
}
