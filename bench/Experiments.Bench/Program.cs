using System.CommandLine;
using System.Globalization;
using Experiments.Bench;
using Experiments.Core.Spec;
using Experiments.Training.Data;
using Serilog;

// Benchmarks of docs/PERFORMANCE.md. Run in Release:
//   dotnet run -c Release --project bench/Experiments.Bench -- cnn
//   dotnet run -c Release --project bench/Experiments.Bench -- gan
//   dotnet run -c Release --project bench/Experiments.Bench -- profile
//   dotnet run -c Release --project bench/Experiments.Bench -- orchestration
Log.Logger = new LoggerConfiguration().MinimumLevel.Warning().WriteTo.Console().CreateLogger();

static DigitDataset Digits() => DigitDataset.Load(new DatasetSpec(DatasetSpec.DefaultName, null, null, null));
static string F(double x) => x.ToString("N0", CultureInfo.InvariantCulture);

var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 300, Description = "measured steps per loop" };
var variantOption = new Option<string?>("--variant") { Description = "only this variant: " + string.Join(", ", CnnLoop.Variants) };
var cnn = new Command("cnn", "bare CNN loop, samples/s: variants × threads, and two trainers side by side") { steps, variantOption };
cnn.SetAction(parse =>
{
    using var data = Digits();
    var n = parse.GetValue(steps);
    Console.WriteLine("| variant | torch threads | trainers | samples/s |");
    Console.WriteLine("|---|---:|---:|---:|");
    var only = parse.GetValue(variantOption);
    foreach (var variant in CnnLoop.Variants.Where(v => only is null || v == only))
        foreach (var threads in new[] { 1, 2 })
            Console.WriteLine($"| {variant} | {threads} | 1 | {F(CnnLoop.Run(data, variant, threads, n))} |");
    Console.WriteLine($"| {CnnLoop.Project} | 1 each | 2 | {F(CnnLoop.RunParallel(data, CnnLoop.Project, 2, 1, n))} |");
});

var orchestration = new Command("orchestration", "the actor runtime's overhead per epoch, and a sweep of 8 trial-folds at concurrency 2");
orchestration.SetAction(async _ =>
{
    using var data = Digits();
    var (bare, actors) = await Orchestration.EpochOverheadAsync(data, epochs: 3, stepsPerEpoch: 100, rounds: 3);
    Console.WriteLine($"epoch (100 steps of 64 + evaluation on 1,800 digits + state capture), median of 3 alternating rounds × 5 folds: " +
                      $"bare {bare:0.000} s, through the actors {actors:0.000} s: {bare / actors:P1} of the bare loop's speed");
    var (_, alone) = await Orchestration.ConcurrencyAsync(configs: 4, concurrency: 1, epochs: 2, stepsPerEpoch: 100);
    var (wall, together) = await Orchestration.ConcurrencyAsync(configs: 4, concurrency: 2, epochs: 2, stepsPerEpoch: 100);
    Console.WriteLine($"8 trial-folds: sum of their times one at a time {alone:0.0} s; at concurrency 2 the sweep took {wall:0.0} s " +
                      $"(trial-folds {together:0.0} s in all); (sum alone / 2) / wall = {alone / 2 / wall:P1}");
});

var profile = new Command("profile", "where a CNN step's time goes");
profile.SetAction(_ => { using var data = Digits(); Profile.Run(data); });
var gan = new Command("gan", "bare GAN loop, steps/s at 1 and 2 torch threads") { steps };
gan.SetAction(parse =>
{
    using var data = Digits();
    Console.WriteLine("| torch threads | steps/s |");
    Console.WriteLine("|---:|---:|");
    foreach (var threads in new[] { 1, 2 })
        Console.WriteLine($"| {threads} | {GanLoop.Run(data, threads, parse.GetValue(steps)):0.0} |");
});

var root = new RootCommand("Experiments benchmarks") { cnn, gan, orchestration, profile };
return await root.Parse(args).InvokeAsync();
