using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Experiments.Actors.Tests.Support;
using Experiments.Actors.Trials;
using Experiments.Core.Folds;
using Experiments.Core.Scheduling;
using Experiments.Core.Search;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using Experiments.Training.Checkpoints;
using Experiments.Training.Tests.TensorBoard;
using Xunit.Abstractions;
using Experiments.Training.Cnn;

namespace Experiments.Actors.Tests.Trials;

[Collection(DigitsCollection.Name)]
public sealed class TrialRunnerSpecs(DigitsFixture digits, ITestOutputHelper output) : TestKit(TestConfig.Actors, output: output)
{
    private const int StepsPerEpoch = 3;
    private static readonly TrialKey Key = new(ConfigId: 4, Fold: 1);
    private static readonly ParameterSet Parameters = CnnModel.Definition.Defaults
        .With("hidden", ParamValue.Of(16)).With("batch-size", ParamValue.Of(32));

    private readonly TempDir _dir = new();

    private TrialPlan Plan(TestTrainerFactory factory, int maxEpochs = 3, int retries = 2, int everyEpochs = 1)
    {
        var fold = FoldSplitter.Split(digits.Digits.LabelArray, folds: 2, testFraction: 0, stratified: true, seed: 1).Folds[Key.Fold];
        return new TrialPlan("runner-spec", Key, ModelKind.Cnn, Parameters, digits.Digits, fold.Train, fold.Validation,
            maxEpochs, StepsPerEpoch, Seed: 11, Threads: 1, retries, _dir.Path, CnnModel.Metrics.ValLoss, OptimizationMode.Min,
            new CheckpointSpec(KeepBest: true, everyEpochs), factory);
    }

    private sealed record Run(List<EpochMetrics> Reports, TrialOutcome Outcome);

    /// <summary>Plays the sweep: answers each epoch report with <paramref name="decide"/> until the trial finishes.</summary>
    private static Run Drive(TestProbe sweep, Func<EpochMetrics, object> decide)
    {
        var reports = new List<EpochMetrics>();
        while (true)
        {
            switch (sweep.ExpectMsg<object>(TestConfig.Patience))
            {
                case TrialRunnerProtocol.EpochReported report:
                    Assert.Equal(Key, report.Key);
                    reports.Add(report.Metrics);
                    sweep.Reply(decide(report.Metrics));
                    break;
                case TrialRunnerProtocol.TrialFinished finished:
                    return new Run(reports, finished.Outcome);
                case var other:
                    Assert.Fail($"unexpected message {other}");
                    break;
            }
        }
    }

    private Run RunToEnd(TrialPlan plan)
    {
        var sweep = CreateTestProbe();
        Sys.ActorOf(TrialRunner.Props(plan, sweep.Ref));
        return Drive(sweep, _ => new TrialRunnerProtocol.Continue(Key));
    }

    private string[] MetricsCsv() => File.ReadAllLines(Path.Combine(_dir.Path, "metrics.csv"));

    private int[] EpochsInMetricsCsv() =>
        MetricsCsv().Skip(1).Select(line => int.Parse(line.Split(',')[0], CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    public void Should_plan_the_final_retrain_with_its_own_threads_and_every_fold_with_threads_per_trial()
    {
        var spec = TinySweeps.Cnn("threads") with { Resources = new ResourcesSpec(2, 1) { FinalRetrainThreads = 2 } };
        var factory = new TestTrainerFactory((trainer, _) => trainer);
        TrialPlan PlanOf(int fold) => TrialPlan.Of(spec, new TrialLaunch(new TrialKey(0, fold), new TrialConfig(0, Parameters), 1, 1, Resumes: false),
            digits.Digits, [], [], _dir.Path, factory);

        Assert.Equal(1, PlanOf(0).Threads);
        Assert.Equal(2, PlanOf(TrialKey.FinalFold).Threads);
    }

    [Fact]
    public void Should_report_each_epoch_with_validation_metrics_and_complete_after_max_epochs()
    {
        var run = RunToEnd(Plan(TestTrainerFactory.Real(), maxEpochs: 3));

        Assert.Equal([1, 2, 3], run.Reports.Select(r => r.Epoch));
        Assert.All(run.Reports, r =>
        {
            Assert.InRange(r.Get(CnnModel.Metrics.ValLoss)!.Value, 0, 10);
            Assert.InRange(r.Get(CnnModel.Metrics.ValAccuracy)!.Value, 0, 1);
            Assert.NotNull(r.Get(CnnModel.Metrics.TrainLoss));
        });
        var valLosses = run.Reports.Select(r => r.Get(CnnModel.Metrics.ValLoss)!.Value).ToList();
        Assert.Equal(TrialStatus.Completed, run.Outcome.Status);
        Assert.Equal(3, run.Outcome.EpochsRun);
        Assert.Equal(valLosses.Min(), run.Outcome.BestMetric);
        Assert.Equal(valLosses.IndexOf(valLosses.Min()) + 1, run.Outcome.BestEpoch);
    }

    [Fact]
    public void Should_write_params_json_metrics_csv_and_checkpoints_in_the_trial_directory()
    {
        var run = RunToEnd(Plan(TestTrainerFactory.Real(), maxEpochs: 2));

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir.Path, "params.json")));
        Assert.Equal("runner-spec", json.RootElement.GetProperty("sweep").GetString());
        Assert.Equal(Key.ConfigId, json.RootElement.GetProperty("config").GetInt32());
        Assert.Equal(Key.Fold, json.RootElement.GetProperty("fold").GetInt32());
        Assert.Equal(16, json.RootElement.GetProperty("parameters").GetProperty("hidden").GetDouble());
        Assert.Equal("adam", json.RootElement.GetProperty("parameters").GetProperty("optimizer").GetString());

        var header = MetricsCsv()[0].Split(',');
        Assert.Equal("epoch", header[0]);
        Assert.Contains(CnnModel.Metrics.ValLoss, header);
        Assert.Contains(CnnModel.Metrics.ValAccuracy, header);
        Assert.Equal([1, 2], EpochsInMetricsCsv());
        Assert.All(MetricsCsv().Skip(1), line => Assert.Equal(header.Length, line.Split(',').Length));

        Assert.Equal(2, CheckpointFile.Read(Path.Combine(_dir.Path, Checkpointer.LastFile)).Meta.Epoch);
        Assert.Equal(run.Outcome.BestEpoch, CheckpointFile.Read(Path.Combine(_dir.Path, Checkpointer.BestFile)).Meta.Epoch);
    }

    [Fact]
    public void Should_write_a_tensorboard_run_with_the_config_and_every_epochs_metrics()
    {
        var run = RunToEnd(Plan(TestTrainerFactory.Real(), maxEpochs: 2));

        var file = Assert.Single(Directory.GetFiles(_dir.Path, "events.out.tfevents.*"));
        var events = EventFileReader.Records(file).Select(EventFileReader.Decode).ToList();
        var summaries = events.Where(e => e.Maybe(5) is not null)
            .Select(e => (Step: (long)e.One(2).Varint, Values: e.One(5).AsMessage.All(1).Select(v => v.AsMessage).ToList())).ToList();

        var start = summaries.Single(s => s.Values.Any(v => v.One(1).AsText == "_hparams_/session_start_info"));
        var info = EventFileReader.Decode(start.Values[0].One(9).AsMessage.One(1).AsMessage.One(2).Bytes).One(3).AsMessage;
        Assert.Equal($"config-{Key.ConfigId}", info.One(4).AsText);
        var hparams = info.All(1).Select(f => f.AsMessage).ToDictionary(e => e.One(1).AsText, e => e.One(2).AsMessage.Single());
        Assert.Equal(16.0, hparams["hidden"].AsDouble);
        Assert.Equal("adam", hparams["optimizer"].AsText);

        var scalars = summaries.Where(s => s.Values.All(v => v.Maybe(2) is not null)).ToList();
        Assert.Equal([1L, 2L], scalars.Select(s => s.Step));
        foreach (var (step, values) in scalars)
        {
            var report = run.Reports[(int)step - 1];
            Assert.Equal(report.Values.Keys.Order(), values.Select(v => v.One(1).AsText).Order());
            Assert.All(values, v => Assert.Equal((float)report.Values[v.One(1).AsText], v.One(2).AsFloat));
        }

        var end = summaries.Last().Values.Single();
        Assert.Equal("_hparams_/session_end_info", end.One(1).AsText);
        var status = EventFileReader.Decode(end.One(9).AsMessage.One(1).AsMessage.One(2).Bytes).One(4).AsMessage.One(1);
        Assert.Equal(1ul, status.Varint); // success
    }

    [Fact]
    public void Should_complete_the_trial_when_its_checkpoints_cannot_be_written()
    {
        // Every write of last.ckpt fails for real: a directory stands where the file would go.
        Directory.CreateDirectory(Path.Combine(_dir.Path, Checkpointer.LastFile));

        var run = RunToEnd(Plan(TestTrainerFactory.Real(), maxEpochs: 2));

        Assert.Equal(TrialStatus.Completed, run.Outcome.Status);
        Assert.Equal(2, run.Outcome.EpochsRun);
        Assert.Equal([1, 2], EpochsInMetricsCsv());
    }

    [Fact]
    public void Should_end_with_the_status_the_sweep_gives_when_told_to_stop()
    {
        var sweep = CreateTestProbe();
        Sys.ActorOf(TrialRunner.Props(Plan(TestTrainerFactory.Real(), maxEpochs: 5), sweep.Ref));

        var run = Drive(sweep, _ => new TrialRunnerProtocol.Stop(Key, TrialStatus.EarlyStopped, "no improvement"));

        Assert.Equal([1], run.Reports.Select(r => r.Epoch));
        Assert.Equal(TrialStatus.EarlyStopped, run.Outcome.Status);
        Assert.Equal("no improvement", run.Outcome.Reason);
        Assert.Equal(1, run.Outcome.EpochsRun);
    }

    [Fact]
    public void Should_restart_a_crashed_trainer_and_resume_from_the_last_checkpoint()
    {
        // last.ckpt every 2 epochs; the fault hits the second step of epoch 4, so epoch 3 (done,
        // not checkpointed) and epoch 4 are redone from the checkpoint of epoch 2.
        var steps = new StepCounter();
        var failAt = 3 * StepsPerEpoch + 2;
        var factory = new TestTrainerFactory((trainer, _) => new ThrowsAtStep(trainer, steps, failAt));

        var run = RunToEnd(Plan(factory, maxEpochs: 4, everyEpochs: 2));

        Assert.Equal([1, 2, 3, 3, 4], run.Reports.Select(r => r.Epoch));
        Assert.Equal(2, factory.Created);
        Assert.Equal(TrialStatus.Completed, run.Outcome.Status);
        Assert.Equal(4, run.Outcome.EpochsRun);
        Assert.Equal([1, 2, 3, 4], EpochsInMetricsCsv());
        Assert.Equal(failAt + 2 * StepsPerEpoch, steps.Steps);
        // Model, optimizer and RNG come back from last.ckpt, and the batches are a function of (seed, epoch).
        Assert.Equal(run.Reports[2].Get(CnnModel.Metrics.ValLoss), run.Reports[3].Get(CnnModel.Metrics.ValLoss));
        Assert.Equal(run.Reports[2].Get(CnnModel.Metrics.TrainLoss), run.Reports[3].Get(CnnModel.Metrics.TrainLoss));
    }

    [Fact]
    public void Should_retrain_an_interrupted_epoch_from_its_first_batch_and_end_as_an_uninterrupted_run()
    {
        var uninterrupted = RunToEnd(Plan(TestTrainerFactory.Real(), maxEpochs: 3));
        _dir.Clear();
        var steps = new StepCounter();
        var failAt = StepsPerEpoch + 2; // the second step of epoch 2; last.ckpt holds epoch 1
        var factory = new TestTrainerFactory((trainer, _) => new ThrowsAtStep(trainer, steps, failAt));

        var interrupted = RunToEnd(Plan(factory, maxEpochs: 3));

        Assert.Equal([1, 2, 3], interrupted.Reports.Select(r => r.Epoch));
        Assert.Equal(failAt + 2 * StepsPerEpoch, steps.Steps);
        Assert.Equal(uninterrupted.Reports.Select(r => r.Values.ToList()), interrupted.Reports.Select(r => r.Values.ToList()));
        Assert.Equal(TrialStatus.Completed, interrupted.Outcome.Status);
    }

    [Fact]
    public void Should_fail_the_trial_with_the_error_after_retries_restarts_of_a_trainer_that_always_throws()
    {
        var factory = new TestTrainerFactory((trainer, _) => new AlwaysThrows(trainer));

        var run = RunToEnd(Plan(factory, retries: 2));

        Assert.Empty(run.Reports);
        Assert.Equal(TrialStatus.Failed, run.Outcome.Status);
        Assert.Contains(AlwaysThrows.Message, run.Outcome.Reason);
        Assert.Equal(3, factory.Created);
        AwaitCondition(() => factory.Alive == 0, TestConfig.Patience);
    }

    [Fact]
    public void Should_fail_the_trial_with_the_error_when_the_trainer_cannot_be_built()
    {
        var factory = new TestTrainerFactory((_, _) => throw new InjectedFault("injected fault: no model today"));

        var run = RunToEnd(Plan(factory, retries: 1));

        Assert.Empty(run.Reports);
        Assert.Equal(TrialStatus.Failed, run.Outcome.Status);
        Assert.Contains("no model today", run.Outcome.Reason);
    }

    [Fact]
    public void Should_end_diverged_at_once_without_a_retry_when_the_loss_is_nan()
    {
        var factory = new TestTrainerFactory((trainer, _) => new NaNLoss(trainer));

        var run = RunToEnd(Plan(factory, retries: 2));

        Assert.Empty(run.Reports);
        Assert.Equal(TrialStatus.Diverged, run.Outcome.Status);
        Assert.Contains(CnnModel.Metrics.TrainLoss, run.Outcome.Reason);
        Assert.Contains("NaN", run.Outcome.Reason);
        Assert.Equal(1, factory.Created);
    }

    [Fact]
    public void Should_continue_a_trial_from_its_directory_when_a_new_runner_takes_it_over()
    {
        // What a restarted host does: a fresh runner on the same folder resumes after the last checkpoint.
        RunToEnd(Plan(TestTrainerFactory.Real(), maxEpochs: 2));

        var resumed = RunToEnd(Plan(TestTrainerFactory.Real(), maxEpochs: 3));

        Assert.Equal([3], resumed.Reports.Select(r => r.Epoch));
        Assert.Equal(3, resumed.Outcome.EpochsRun);
        Assert.Equal(TrialStatus.Completed, resumed.Outcome.Status);
        Assert.Equal([1, 2, 3], EpochsInMetricsCsv());
    }

    [Fact]
    public void Should_drop_a_metrics_row_that_its_checkpoint_does_not_cover_when_resuming()
    {
        // A kill between appending epoch 3's row and writing its checkpoint leaves one row too many.
        RunToEnd(Plan(TestTrainerFactory.Real(), maxEpochs: 2));
        var rows = MetricsCsv();
        File.AppendAllText(Path.Combine(_dir.Path, "metrics.csv"), "3" + rows[^1][rows[^1].IndexOf(',')..] + "\n");

        var resumed = RunToEnd(Plan(TestTrainerFactory.Real(), maxEpochs: 3));

        Assert.Equal([3], resumed.Reports.Select(r => r.Epoch));
        Assert.Equal([1, 2, 3], EpochsInMetricsCsv());
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _dir.Dispose();
    }
}
