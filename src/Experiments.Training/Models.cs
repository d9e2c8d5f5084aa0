using Experiments.Core.Spec;
using Experiments.Training.Cnn;
using Experiments.Training.Gan;

namespace Experiments.Training;

/// <summary>
/// The models this program trains, registered once. Adding a model: a folder with its trainer and
/// its definition (like <see cref="CnnModel"/>), a line here and a case in <see cref="TrainerFactory"/>.
/// </summary>
public static class Models
{
    public static readonly ModelRegistry Registry = new([CnnModel.Definition, GanModel.Definition]);

    /// <summary>A spec context that knows these models (add the host's dataset facts with <c>with</c>).</summary>
    public static SpecContext Context(SpecContext? context = null) => (context ?? SpecContext.Default) with { Models = Registry };
}
