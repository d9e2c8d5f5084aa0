using System.CommandLine;
using System.Globalization;
using Experiments.Bench;
using Experiments.Core.Spec;
using Experiments.Training.Data;
using Serilog;

// Benchmarks of docs/PERFORMANCE.md. Run in Release:
//   dotnet run -c Release --project bench/Experiments.Bench -- cnn
//   dotnet run -c Release --project bench/Experiments.Bench -- gan
//   dotnet run -c Release --project bench/Experiments.Bench -- profile [--rounds 3] [--threads 1]
//   dotnet run -c Release --project bench/Experiments.Bench -- adam [--rounds 3] [--threads 1]
//   dotnet run -c Release --project bench/Experiments.Bench -- sqrt-check
//   dotnet run -c Release --project bench/Experiments.Bench -- gan-profile [--rounds 3] [--threads 1]
//   dotnet run -c Release --project bench/Experiments.Bench -- orchestration
//   dotnet run -c Release --project bench/Experiments.Bench -- overhead --rounds 3
//   dotnet run -c Release --project bench/Experiments.Bench -- concurrency --rounds 7 [--cpu]
//   dotnet run -c Release --project bench/Experiments.Bench -- pair --rounds 5
//   dotnet run -c Release --project bench/Experiments.Bench -- tpe
//   dotnet run -c Release --project bench/Experiments.Bench -- search-quality [--seeds 5] [--what tpe|pruning|all]
//   dotnet run -c Release --project bench/Experiments.Bench -- compare cnn|gan|sweep|sweep-median|startup [--pairs 3]
Log.Logger = new LoggerConfiguration().MinimumLevel.Warning().WriteTo.Console().CreateLogger();

static DigitDataset Digits() => DigitDataset.Load(new DatasetSpec(DatasetSpec.DefaultName, null, null, null));
static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);  // the upper one for an even count
static string F(double x) => x.ToString("N0", CultureInfo.InvariantCulture);

var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 300, Description = "measured steps per loop" };
var variantOption = new Option<string?>("--variant") { Description = "only these variants (comma-separated): " + string.Join(", ", CnnLoop.Variants) };
var cnn = new Command("cnn", "bare CNN loop, samples/s: variants × threads, and two trainers side by side") { steps, variantOption };
cnn.SetAction(parse =>
{
    using var data = Digits();
    var n = parse.GetValue(steps);
    Console.WriteLine("| variant | torch threads | trainers | samples/s |");
    Console.WriteLine("|---|---:|---:|---:|");
    var only = parse.GetValue(variantOption);
    foreach (var variant in CnnLoop.Variants.Where(v => only is null || only.Split(',').Contains(v)))
        foreach (var threads in new[] { 1, 2 })
            Console.WriteLine($"| {variant} | {threads} | 1 | {F(CnnLoop.Run(data, variant, threads, n))} |");
    Console.WriteLine($"| {CnnLoop.Project} | 1 each | 2 | {F(CnnLoop.RunParallel(data, CnnLoop.Project, 2, 1, n))} |");
});

var rounds = new Option<int>("--rounds") { DefaultValueFactory = _ => 3, Description = "rounds, each timing both sides one after the other, so that the machine's drift falls on both" };
var pair = new Command("pair", "the hardware's own ceiling for concurrency 2: one bare trainer, then two side by side, in alternating rounds") { steps, rounds };
pair.SetAction(parse =>
{
    using var data = Digits();
    var n = parse.GetValue(steps);
    var ratios = new List<double>();
    Console.WriteLine("| round | one trainer, samples/s | two side by side, samples/s in all | two / (2 × one) |");
    Console.WriteLine("|---:|---:|---:|---:|");
    for (var round = 1; round <= parse.GetValue(rounds); round++)
    {
        var one = CnnLoop.Run(data, CnnLoop.Project, 1, n);
        var two = CnnLoop.RunParallel(data, CnnLoop.Project, 2, 1, n);
        ratios.Add(two / 2 / one);
        Console.WriteLine($"| {round} | {F(one)} | {F(two)} | {two / 2 / one:P1} |");
    }
    Console.WriteLine($"median: {Median(ratios):P1}");
});

static async Task ConcurrencyRounds(int rounds, TextWriter? cpu)
{
    var ratios = new List<double>();
    Console.WriteLine("| round | sum alone (trainers busy) | wall at concurrency 2 | trial-folds at concurrency 2 (busy) | ratio |");
    Console.WriteLine("|---:|---:|---:|---:|---:|");
    for (var round = 1; round <= rounds; round++)
    {
        var (_, alone, busyAlone) = await Orchestration.ConcurrencyAsync(configs: 4, concurrency: 1, epochs: 2, stepsPerEpoch: 100, cpu);
        var (wall, together, busyTogether) = await Orchestration.ConcurrencyAsync(configs: 4, concurrency: 2, epochs: 2, stepsPerEpoch: 100, cpu);
        ratios.Add(alone / 2 / wall);
        Console.WriteLine($"| {round} | {alone:0.0} s ({busyAlone:0.0}) | {wall:0.0} s | {together:0.0} s ({busyTogether:0.0}) | {alone / 2 / wall:P1} |");
    }
    Console.WriteLine($"median of (sum alone / 2) / wall: {Median(ratios):P1}");
}

static async Task EpochOverhead(IDigitSource data, int rounds)
{
    var (bare, actors) = await Orchestration.EpochOverheadAsync(data, epochs: 3, stepsPerEpoch: 100, rounds);
    Console.WriteLine($"epoch (100 steps of 64 + evaluation on 1,800 digits + state capture), median of {rounds} alternating rounds × 5 folds: " +
                      $"bare {bare:0.000} s, through the actors {actors:0.000} s: {bare / actors:P1} of the bare loop's speed");
}

var orchestration = new Command("orchestration", "the actor runtime's overhead per epoch, and a sweep of 8 trial-folds at concurrency 2");
orchestration.SetAction(async _ =>
{
    using var data = Digits();
    await EpochOverhead(data, 3);
    await ConcurrencyRounds(3, null);
});

var overhead = new Command("overhead", "only the actor runtime's overhead per epoch") { rounds };
overhead.SetAction(async parse =>
{
    using var data = Digits();
    await EpochOverhead(data, parse.GetValue(rounds));
});

var cpuOption = new Option<bool>("--cpu") { Description = "also print CPU time by thread, JIT and GC for each sweep" };
var concurrency = new Command("concurrency", "the sweep of 8 trial-folds alone and at concurrency 2, in alternating rounds") { rounds, cpuOption };
concurrency.SetAction(async parse =>
{
    using var data = Digits();
    await ConcurrencyRounds(parse.GetValue(rounds), parse.GetValue(cpuOption) ? Console.Out : null);
});

var threadsOption = new Option<int>("--threads") { DefaultValueFactory = _ => 1, Description = "torch threads" };
var hiddenOption = new Option<int>("--hidden") { DefaultValueFactory = _ => 128, Description = "the CNN's hidden width" };
var profile = new Command("profile", "where a CNN step's time goes, with libtorch's kernels and with the project's, alternately") { rounds, threadsOption, hiddenOption };
profile.SetAction(parse =>
{
    using var data = Digits();
    for (var round = 0; round < parse.GetValue(rounds); round++)
        foreach (var (projectKernels, fusedRelu) in new[] { (false, false), (true, false), (true, true) })
            Profile.Run(data, projectKernels, parse.GetValue(threadsOption), fusedRelu, parse.GetValue(hiddenOption));
});
var epochsOption = new Option<int>("--epochs") { DefaultValueFactory = _ => 4, Description = "epochs" };
var epochParts = new Command("epoch", "a bare CNN trial-fold's epochs split into steps, evaluation and state capture (the comparison sweep's sizes)") { threadsOption, hiddenOption, epochsOption };
epochParts.SetAction(parse =>
{
    using var data = Digits();
    EpochParts.Run(data, parse.GetValue(hiddenOption), parse.GetValue(epochsOption), parse.GetValue(threadsOption));
});
var adam = new Command("adam", "Adam's step alone on the CNN's parameters: TorchSharp's, Fused.Adam and a tried chunked variant, interleaved") { rounds, threadsOption };
adam.SetAction(parse => AdamBench.Run(parse.GetValue(threadsOption), parse.GetValue(rounds)));
var ganProfile = new Command("gan-profile", "where a GAN step's time goes, with and without D's weight gradients in G's backward, alternately") { rounds, threadsOption };
ganProfile.SetAction(parse =>
{
    using var data = Digits();
    GanProfile.Run(data, parse.GetValue(threadsOption), parse.GetValue(rounds));
});
var gan = new Command("gan", "bare GAN loop, steps/s at 1 and 2 torch threads") { steps };
gan.SetAction(parse =>
{
    using var data = Digits();
    Console.WriteLine("| torch threads | steps/s |");
    Console.WriteLine("|---:|---:|");
    foreach (var threads in new[] { 1, 2 })
        Console.WriteLine($"| {threads} | {GanLoop.Run(data, threads, parse.GetValue(steps)):0.0} |");
});

var sqrtCheck = new Command("sqrt-check", "the inline square root of Fused.Adam against libtorch's sqrt on all 2^32 float bit patterns");
sqrtCheck.SetAction(_ => SqrtCheck.Run());

var tpe = new Command("tpe", "TPE's cost per ask at 200 finished configs, and configs to near-optimum against random search");
tpe.SetAction(_ => { TpeCost.Run(finished: 200, asks: 100); TpeCost.Versus(seeds: 50, budget: 150, threshold: 0.25); });

var root = new RootCommand("Experiments benchmarks") { cnn, gan, ganProfile, adam, sqrtCheck, pair, orchestration, overhead, concurrency, profile, epochParts, tpe, SearchQuality.Command(), Experiments.Bench.Reference.Compare.Command() };
return await root.Parse(args).InvokeAsync();
