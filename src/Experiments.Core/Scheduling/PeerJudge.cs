using Experiments.Core.Spec;
using Experiments.Core.Trials;

namespace Experiments.Core.Scheduling;

/// <summary>
/// Decides after an epoch, deterministically: early stopping from the trial's own history; pruning
/// of trial-fold (c, f) at epoch e against the records at fold f, epoch e of configs with a lower id
/// only. A lower peer still on its way to epoch e on that fold makes the decision Wait; one that
/// ended short of e, or will never run fold f (pruned earlier), is not a peer. Lower configs never
/// wait on higher ones, so the lowest open config always moves and nothing deadlocks; and the
/// decision is the same whichever trial reported first. Under Hyperband only configs of the
/// trial's own bracket are peers (and waited for).
/// </summary>
public sealed class PeerJudge(SweepSpec spec, SweepRecord record, ConfigFolds configs)
{
    private string Metric => spec.EarlyStopping.Metric;

    public EpochDecision Decide(TrialKey key)
    {
        var history = record.History(key, Metric);
        var epoch = record.LastEpoch(key)?.Epoch ?? 0;
        if (key.IsFinal) return new EpochDecision(key, epoch, Verdict.Continue);
        if (EarlyStopping.ShouldStop(history, spec.EarlyStopping))
            return new EpochDecision(key, epoch, Verdict.Stop,
                $"{Metric} did not improve by {spec.EarlyStopping.MinDelta} for {spec.EarlyStopping.Patience} epochs");
        if (!MayPrune(key, history.Count)) return new EpochDecision(key, epoch, Verdict.Continue);

        var peers = new List<IReadOnlyList<double>>();
        for (var lower = 0; lower < key.ConfigId; lower++)
        {
            if (BracketOf(lower) != BracketOf(key.ConfigId)) continue;
            var peer = new TrialKey(lower, key.Fold);
            var peerHistory = record.History(peer, Metric);
            if (peerHistory.Count >= history.Count) peers.Add(peerHistory);
            else if (record.OutcomeOf(peer) is null && !configs.IsPruned(lower))
                return new EpochDecision(key, epoch, Verdict.Wait, $"config {lower} has not reached epoch {history.Count} of fold {key.Fold}");
        }
        return Pruning.ShouldPrune(history, peers, spec.Pruning, spec.EarlyStopping.Mode, BracketOf(key.ConfigId))
            ? new EpochDecision(key, epoch, Verdict.Prune, $"{spec.Pruning.Rule.ToString().ToLowerInvariant()} rule at epoch {history.Count}")
            : new EpochDecision(key, epoch, Verdict.Continue);
    }

    /// <summary>Whether the rule could ever prune this config (it never prunes those below min-trials).</summary>
    public bool CanPrune(int configId) => spec.Pruning.Rule != PruningRule.None && configId >= spec.Pruning.MinTrials;

    /// <summary>Whether the rule could prune here at all: when it cannot, there is nothing to wait for.</summary>
    private bool MayPrune(TrialKey key, int epoch) => spec.Pruning.Rule switch
    {
        _ when !CanPrune(key.ConfigId) || epoch < Math.Max(1, spec.Pruning.GraceEpochs) => false,
        PruningRule.Asha => Pruning.IsRung(epoch, spec.Pruning),
        PruningRule.Hyperband => Pruning.IsRung(epoch, spec.Pruning, BracketOf(key.ConfigId)),
        _ => true,
    };

    /// <summary>The config's Hyperband bracket; 0 for every config under the other rules.</summary>
    private int BracketOf(int configId) => spec.Pruning.Rule == PruningRule.Hyperband
        ? Hyperband.BracketOf(configId, Hyperband.Brackets(spec.Pruning, spec.Training.MaxEpochs))
        : 0;
}
