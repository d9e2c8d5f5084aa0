using System.Diagnostics;
using Experiments.Training;
using Experiments.Training.Data;
using Experiments.Training.Gan;
using GanGenerator = Experiments.Training.Gan.Generator;
using Experiments.Training.Kernels;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Experiments.Bench;

/// <summary>
/// Where a GAN step's time goes, phase by phase, the generator's loss taken with D's weight
/// gradients (as before) and without them (as GanTrainer does now), two copies of the same models
/// stepped in alternating bursts so that the machine's drift falls on both. At the end the two
/// generators must hold the same bits: skipping D's weight gradients changes nothing G learns.
/// </summary>
public static class GanProfile
{
    private const int Burst = 10;

    public static void Run(IDigitSource data, int threads, int rounds)
    {
        TorchRuntime.UseThreads(threads);
        var hp = GanHyperParameters.Default;
        var sides = new[] { new Side(hp, "with D's weight gradients (before)", skip: false), new Side(hp, "without (now)", skip: true) };
        var order = Enumerable.Range(0, data.Count).ToArray();
        new Random(1).Shuffle(order);
        for (var s = 0; s < 10; s++) foreach (var side in sides) side.Step(data, order.AsSpan(s * 64, 64), null);
        foreach (var side in sides) side.Times.Clear();
        var step = 10;
        for (var round = 0; round < rounds; round++, step += Burst)
            foreach (var side in sides)
                for (var s = step; s < step + Burst; s++)
                    side.Step(data, order.AsSpan(s * 64 % (order.Length - 64), 64), side.Times);
        var steps = rounds * Burst;
        Console.WriteLine($"GAN step, {threads} thread(s), ms per step, mean of {steps} steps in bursts of {Burst}:");
        Console.WriteLine("| phase | " + string.Join(" | ", sides.Select(s => s.Name)) + " |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var phase in sides[0].Times.Keys)
            Console.WriteLine($"| {phase} | " + string.Join(" | ", sides.Select(s => $"{s.Times[phase] / steps:0.000}")) + " |");
        Console.WriteLine("| total | " + string.Join(" | ", sides.Select(s => $"{s.Times.Values.Sum() / steps:0.000}")) + " |");
        var same = sides[0].Generator.parameters().Zip(sides[1].Generator.parameters()).All(p => p.Item1.bytes.SequenceEqual(p.Item2.bytes)) &&
                   sides[0].Discriminator.parameters().Zip(sides[1].Discriminator.parameters()).All(p => p.Item1.bytes.SequenceEqual(p.Item2.bytes));
        Console.WriteLine($"generator and discriminator weights bit-identical between the two: {same}");
    }

    private sealed class Side
    {
        private readonly Fused.Adam _g, _d;
        private readonly torch.Generator _noise = new(7UL);
        private readonly bool _skip;
        private readonly GanHyperParameters _hp;
        public GanGenerator Generator { get; }
        public Discriminator Discriminator { get; }
        public string Name { get; }
        public Dictionary<string, double> Times { get; } = new();

        public Side(GanHyperParameters hp, string name, bool skip)
        {
            (_hp, Name, _skip) = (hp, name, skip);
            (Generator, Discriminator) = SeededInit.Create(1, () => (new GanGenerator(hp.ZSize, hp.Scaled), new Discriminator(hp.Scaled)));
            _g = new Fused.Adam(Generator.parameters(), hp.GeneratorLearningRate, 0.5, 0.999);
            _d = new Fused.Adam(Discriminator.parameters(), hp.DiscriminatorLearningRate, 0.5, 0.999);
        }

        public void Step(IDigitSource data, ReadOnlySpan<int> batch, Dictionary<string, double>? times)
        {
            var clock = Stopwatch.StartNew();
            void Mark(string phase)
            {
                if (times is not null) times[phase] = times.GetValueOrDefault(phase) + clock.Elapsed.TotalMilliseconds;
                clock.Restart();
            }
            using var scope = NewDisposeScope();
            Generator.train();
            Discriminator.train();
            var (images, _) = data.Batch(batch);
            var real = images.mul(2).sub_(1);
            var n = batch.Length;
            using var ones = torch.ones(n, 1);
            using var zeros = torch.zeros(n, 1);
            Mark("batch");
            var fake = Generator.forward(randn([n, _hp.ZSize], generator: _noise));
            Mark("G forward");
            _d.zero_grad();
            var dLoss = functional.binary_cross_entropy_with_logits(Discriminator.forward(real), ones) +
                        functional.binary_cross_entropy_with_logits(Discriminator.forward(fake.detach()), zeros);
            Mark("D forward + loss");
            dLoss.backward();
            Mark("D backward");
            _d.step();
            Mark("D Adam step");
            _g.zero_grad();
            var frozen = _skip ? Discriminator.parameters().ToArray() : [];
            foreach (var p in frozen) p.requires_grad = false;
            var gLoss = functional.binary_cross_entropy_with_logits(Discriminator.forward(fake), ones);
            foreach (var p in frozen) p.requires_grad = true;
            Mark("G loss through D");
            gLoss.backward();
            Mark("G backward");
            _g.step();
            Mark("G Adam step");
            _ = dLoss.item<float>() + gLoss.item<float>();
            Mark("item");
        }
    }
}
