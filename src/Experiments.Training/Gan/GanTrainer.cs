using Experiments.Core.Spec;
using Experiments.Training.Checkpoints;
using Experiments.Training.Cnn;
using Experiments.Training.Data;
using Experiments.Training.Kernels;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Experiments.Training.Gan;

/// <summary>
/// Owns a <see cref="Generator"/>, a <see cref="Discriminator"/>, their Adam optimizers and a copy of
/// the feature classifier; trains the pair on a shared digit source and scores the generator with
/// the digit FID and class coverage.
/// </summary>
public sealed class GanTrainer : IModelTrainer, IProducesArtifacts
{
    public const string ClassesSeen = "classes-seen";
    public const int GridColumns = 10;
    private const int EvaluationBatch = 1000;
    private const double Beta1 = 0.5;
    // torch.optim.Adam's factory defaults beta2 to 0.99; the GAN recipe (and PyTorch) uses 0.999.
    private const double Beta2 = 0.999;
    // Evaluation noise comes from its own stream, so evaluating never shifts the training noise.
    private const ulong EvaluationNoiseStream = 0x9E3779B97F4A7C15;
    // Adam's step turns doubles into native Scalars that only their finalizers free. Left waiting,
    // these tiny blocks sit between the step's large freed temporaries and keep glibc's heap from
    // reusing them: RSS rose ~2.8 MB per discriminator step (1.7 GB in 600). A gen-0 collection
    // every few steps frees them: RSS flat, and Adam ran twice as fast (fewer page faults). Our own
    // constants are allocated once (BceTargets), so the step itself adds none.
    private const int StepsPerScalarCollection = 10;

    private readonly IDigitSource _data;
    private readonly DigitCnn _classifier;
    private readonly TorchSharp.Modules.Adam _generatorOptimizer;
    private readonly TorchSharp.Modules.Adam _discriminatorOptimizer;
    private readonly torch.Generator _trainingNoise;
    private readonly ulong _evaluationSeed;
    private readonly Tensor _sampleNoise;
    private readonly BceTargets _targets;
    private readonly TorchSharp.Modules.Parameter[] _discriminatorParameters;
    private long _steps;

    public Generator Generator { get; }
    public Discriminator Discriminator { get; }
    public GanHyperParameters HyperParameters { get; }
    public int BatchSize => HyperParameters.BatchSize;

    /// <summary>A trainer that owns <paramref name="featureClassifier"/> (see <see cref="DigitClassifierCache.Load"/>) and disposes it.</summary>
    public GanTrainer(IDigitSource data, GanHyperParameters hp, int seed, DigitCnn featureClassifier)
    {
        _data = data;
        HyperParameters = hp;
        _classifier = featureClassifier;
        _classifier.eval();
        (Generator, Discriminator) = SeededInit.Create(seed, () => (new Generator(hp.ZSize, hp.Scaled), new Discriminator(hp.Scaled)));
        _generatorOptimizer = new Fused.Adam(Generator.parameters(), hp.GeneratorLearningRate, Beta1, Beta2);
        _discriminatorParameters = Discriminator.parameters().ToArray();
        _discriminatorOptimizer = new Fused.Adam(_discriminatorParameters, hp.DiscriminatorLearningRate, Beta1, Beta2);
        // The trainer's own generators: trials on other threads never interleave their draws with ours.
        _trainingNoise = new torch.Generator(TrialNoise.Seed(seed, TrialNoise.GanTraining));
        _evaluationSeed = (ulong)seed ^ EvaluationNoiseStream;
        _sampleNoise = EvaluationNoise(GridColumns * GridColumns).DetachFromDisposeScope();
        _targets = new BceTargets(1 - hp.LabelSmoothing);
    }

    public IReadOnlyDictionary<string, double> TrainStep(ReadOnlySpan<int> batch)
    {
        var losses = Step(batch);
        if (++_steps % StepsPerScalarCollection == 0) GC.Collect(0);
        return losses;
    }

    private Dictionary<string, double> Step(ReadOnlySpan<int> batch)
    {
        using var scope = NewDisposeScope();
        Generator.train();
        Discriminator.train();
        var (images, _) = _data.Batch(batch);
        var real = images.mul(_targets.Two).sub_(_targets.One); // [0, 1] → [-1, 1], like tanh's range
        var n = batch.Length;
        var fake = Generator.forward(randn([n, HyperParameters.ZSize], generator: _trainingNoise));

        _discriminatorOptimizer.zero_grad();
        var discriminatorLoss =
            functional.binary_cross_entropy_with_logits(Discriminator.forward(real), _targets.Real(n)) +
            functional.binary_cross_entropy_with_logits(Discriminator.forward(fake.detach()), _targets.Zeros(n));
        discriminatorLoss.backward();
        _discriminatorOptimizer.step();

        // Non-saturating generator loss: make D call the fakes real (targets 1, never smoothed).
        _generatorOptimizer.zero_grad();
        var generatorLoss = GeneratorLoss(fake, n);
        generatorLoss.backward();
        _generatorOptimizer.step();

        return new Dictionary<string, double>
        {
            [GanModel.Metrics.DiscriminatorLoss] = discriminatorLoss.item<float>(),
            [GanModel.Metrics.GeneratorLoss] = generatorLoss.item<float>(),
        };
    }

    /// <summary>
    /// The generator's loss with D's weights out of the graph: G's update needs the gradient through
    /// D, not D's own weight gradients, which the next D step would drop anyway. The gradients that
    /// reach G are computed by the same kernels in the same order, so they are the same bits; the
    /// backward pass skips one weight-gradient GEMM per D layer (docs/PERFORMANCE.md).
    /// </summary>
    private Tensor GeneratorLoss(Tensor fake, int n)
    {
        foreach (var parameter in _discriminatorParameters) parameter.requires_grad = false;
        try
        {
            return functional.binary_cross_entropy_with_logits(Discriminator.forward(fake), _targets.Ones(n));
        }
        finally
        {
            foreach (var parameter in _discriminatorParameters) parameter.requires_grad = true;
        }
    }

    /// <summary>
    /// FID between the real digits at <paramref name="indices"/> and as many generated ones (from
    /// noise that is the same at every evaluation), in the classifier's penultimate features; and
    /// the class coverage of the generated digits.
    /// </summary>
    public IReadOnlyDictionary<string, double> Evaluate(IReadOnlyList<int> indices)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Generator.eval();
        var all = indices as int[] ?? indices.ToArray();
        var realFeatures = new List<Tensor>();
        var fakeFeatures = new List<Tensor>();
        var predictions = new List<long>(all.Length);
        var noise = EvaluationNoise(all.Length);
        for (var start = 0; start < all.Length; start += EvaluationBatch)
        {
            var count = Math.Min(EvaluationBatch, all.Length - start);
            var (images, _) = _data.Batch(all.AsSpan(start, count));
            realFeatures.Add(_classifier.Features(images));
            var generated = AsUnitRange(Generator.forward(noise.narrow(0, start, count)));
            var features = _classifier.Features(generated);
            fakeFeatures.Add(features);
            predictions.AddRange(_classifier.forward(generated).argmax(1).data<long>().ToArray());
        }
        var coverage = ClassCoverage.Of(predictions);
        return new Dictionary<string, double>
        {
            [GanModel.Metrics.Fid] = all.Length < 2 ? double.NaN : FrechetDistance.Between(cat(realFeatures), cat(fakeFeatures)),
            [GanModel.Metrics.ClassCoverage] = coverage.NormalisedEntropy,
            [ClassesSeen] = coverage.ClassesSeen,
        };
    }

    /// <summary>A 10×10 PNG of digits generated from the fixed sample noise, so grids of successive epochs compare.</summary>
    public void WriteSampleGrid(string pngPath)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Generator.eval();
        SampleGrid.Write(pngPath, AsUnitRange(Generator.forward(_sampleNoise)), GridColumns);
    }

    public IReadOnlyList<string> WriteArtifacts(string directory, int epoch)
    {
        var path = Path.Combine(directory, $"samples-epoch-{epoch:D3}.png");
        WriteSampleGrid(path);
        return [path];
    }

    public IReadOnlyDictionary<string, byte[]> CaptureState() => new Dictionary<string, byte[]>
    {
        ["generator"] = TorchState.Save(Generator),
        ["discriminator"] = TorchState.Save(Discriminator),
        ["g-optimizer"] = TorchState.Save(_generatorOptimizer),
        ["d-optimizer"] = TorchState.Save(_discriminatorOptimizer),
        ["rng"] = TorchState.Save(_trainingNoise),
    };

    public void RestoreState(IReadOnlyDictionary<string, byte[]> sections, string source)
    {
        TorchState.Load(Generator, TorchState.Section(source, sections, "generator"));
        TorchState.Load(Discriminator, TorchState.Section(source, sections, "discriminator"));
        TorchState.Load(_generatorOptimizer, TorchState.Section(source, sections, "g-optimizer"));
        TorchState.Load(_discriminatorOptimizer, TorchState.Section(source, sections, "d-optimizer"));
        TorchState.Load(_trainingNoise, TorchState.Section(source, sections, "rng"));
    }

    /// <summary>The same <paramref name="count"/> noise vectors at every call: a fresh generator from the trainer's seed.</summary>
    private Tensor EvaluationNoise(int count)
    {
        using var generator = new torch.Generator(_evaluationSeed);
        return randn([count, HyperParameters.ZSize], generator: generator);
    }

    /// <summary>tanh's [-1, 1] back to the classifier's [0, 1] pixels.</summary>
    private Tensor AsUnitRange(Tensor images) => images.add(_targets.One).div_(_targets.Two);

    public void Dispose()
    {
        _targets.Dispose();
        _sampleNoise.Dispose();
        _trainingNoise.Dispose();
        _generatorOptimizer.Dispose();
        _discriminatorOptimizer.Dispose();
        Generator.Dispose();
        Discriminator.Dispose();
        _classifier.Dispose();
    }
}
