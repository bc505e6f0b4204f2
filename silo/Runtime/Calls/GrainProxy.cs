using System.Reflection;
using Granary.Contracts.Grains;

namespace Granary.Runtime.Calls;

/// <summary>
/// The object a caller holds for a grain: an identity plus a dispatcher. Every interface call becomes a
/// message handed to the dispatcher, which may run it here or (later) route it to another silo.
/// </summary>
/// <remarks>
/// Built on <see cref="DispatchProxy"/> rather than a Roslyn source generator: one runtime-emitted class per
/// interface, no build step, and the method table is compiled expression trees, so a call costs one
/// dictionary lookup and an argument array (see the runtime benchmark figures in the README).
/// </remarks>
public class GrainProxy : DispatchProxy
{
    private GrainId _id;
    private GrainInterface _interface = null!;
    private IGrainCallDispatcher _dispatcher = null!;

    /// <summary>The identity of the referenced grain.</summary>
    public GrainId GrainId => _id;

    internal static object Create(GrainInterface grainInterface, GrainId id, IGrainCallDispatcher dispatcher)
    {
        var proxy = (GrainProxy)DispatchProxy.Create(grainInterface.Type, typeof(GrainProxy));
        proxy._id = id;
        proxy._interface = grainInterface;
        proxy._dispatcher = dispatcher;
        return proxy;
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var method = _interface.Methods[targetMethod!];
        return method.Adapt(_dispatcher.CallAsync(_id, method, args ?? []));
    }

    /// <inheritdoc />
    public override string ToString() => $"GrainReference({_id})";
}
