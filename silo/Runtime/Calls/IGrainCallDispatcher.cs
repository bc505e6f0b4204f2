using Granary.Contracts.Grains;

namespace Granary.Runtime.Calls;

/// <summary>Delivers a call to a grain wherever it lives and returns its boxed result. The seam for distribution.</summary>
internal interface IGrainCallDispatcher
{
    /// <summary>Calls <paramref name="method"/> on grain <paramref name="target"/>.</summary>
    Task<object?> CallAsync(GrainId target, GrainMethod method, object?[] arguments);
}
