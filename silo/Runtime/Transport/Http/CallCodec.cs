using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Granary.Contracts.Grains;

namespace Granary.Runtime.Transport.Http;

/// <summary>A grain interface method as it crosses the wire: its signature, and the types its values are serialized as.</summary>
internal sealed class WireMethod
{
    private static readonly ConcurrentDictionary<MethodInfo, WireMethod> ByMethod = new();
    private static readonly ConcurrentDictionary<string, WireMethod> BySignature = new(StringComparer.Ordinal);

    private WireMethod(MethodInfo method)
    {
        Method = method;
        var parameters = method.GetParameters();
        ParameterTypes = [.. parameters.Select(p => p.ParameterType)];
        Signature = $"{method.DeclaringType!.AssemblyQualifiedName}|{method.Name}|{string.Join(',', ParameterTypes.Select(t => t.FullName))}";
        var returns = method.ReturnType;
        ResultType = returns.IsGenericType && (returns.GetGenericTypeDefinition() == typeof(Task<>) || returns.GetGenericTypeDefinition() == typeof(ValueTask<>))
            ? returns.GenericTypeArguments[0]
            : null;
    }

    public MethodInfo Method { get; }

    /// <summary><c>interface assembly-qualified name|method|parameter type names</c>.</summary>
    public string Signature { get; }

    public Type[] ParameterTypes { get; }

    /// <summary>The T of <c>Task&lt;T&gt;</c>/<c>ValueTask&lt;T&gt;</c>; null for a call without a result.</summary>
    public Type? ResultType { get; }

    public static WireMethod Of(MethodInfo method) => ByMethod.GetOrAdd(method, static m => new WireMethod(m));

    /// <summary>Finds the method a signature names, or explains why this silo has none.</summary>
    public static WireMethod Resolve(string signature) => BySignature.GetOrAdd(signature, static signature =>
    {
        var parts = signature.Split('|');
        if (parts.Length != 3)
        {
            throw new InvalidOperationException($"Malformed grain method signature '{signature}' on the wire.");
        }

        var type = Type.GetType(parts[0], throwOnError: false)
            ?? throw new InvalidOperationException($"Grain interface {parts[0]} is not known to this silo; run the same grain assemblies on every silo.");
        var parameters = parts[2].Length == 0 ? [] : parts[2].Split(',');
        var method = type.GetMethods().SingleOrDefault(m => m.Name == parts[1] && m.GetParameters().Select(p => p.ParameterType.FullName).SequenceEqual(parameters))
            ?? throw new InvalidOperationException($"Grain interface {type.Name} has no method {parts[1]}({string.Join(", ", parameters)}) on this silo; run the same grain assemblies on every silo.");
        return Of(method);
    });
}

/// <summary>Encodes and decodes call, reply and cancel frames.</summary>
internal static class CallCodec
{
    private static readonly JsonSerializerOptions Values = new(JsonSerializerDefaults.Web);

    public static Frame EncodeCall(long id, SiloRequest request, WireMethod method)
    {
        var frame = new FrameBuilder(FrameType.Call, 512);
        frame.WriteInt64(id);
        frame.WriteString(request.Target.Kind);
        frame.WriteString(request.Target.Key);
        frame.WriteString(method.Signature);
        var headers = request.Headers;
        frame.WriteString(headers.CorrelationId);
        frame.WriteString(headers.CausationId);
        frame.WriteString(headers.Actor);
        frame.WriteString(headers.TraceParent);
        frame.WriteString(headers.TraceState);
        frame.WriteInt64(headers.Timeout is { } timeout ? (long)Math.Max(0, timeout.TotalMilliseconds) : -1);
        frame.WriteInt32(headers.Chain.Count);
        foreach (var grain in headers.Chain)
        {
            frame.WriteString(grain.Kind);
            frame.WriteString(grain.Key);
        }

        frame.WriteInt32(request.Forwards);
        frame.WriteByte(request.ToHolder ? (byte)1 : (byte)0);
        for (var i = 0; i < method.ParameterTypes.Length; i++)
        {
            if (method.ParameterTypes[i] == typeof(CancellationToken))
            {
                // A token cannot cross silos; the receiver puts its own in the slot.
                frame.WriteInt32(0);
            }
            else
            {
                frame.WriteJson(request.Arguments[i], method.ParameterTypes[i], Values);
            }
        }

        return frame.Detach();
    }

    /// <summary>Decodes a call frame (its type byte and id already read); the cancellation-token slot is left null.</summary>
    public static SiloRequest DecodeCall(ref FrameReader reader)
    {
        var grain = new GrainId(reader.ReadString()!, reader.ReadString()!);
        var method = WireMethod.Resolve(reader.ReadString()!);
        var correlation = reader.ReadString();
        var causation = reader.ReadString();
        var actor = reader.ReadString();
        var traceParent = reader.ReadString();
        var traceState = reader.ReadString();
        var timeoutMs = reader.ReadInt64();
        var chain = new GrainId[reader.ReadInt32()];
        for (var i = 0; i < chain.Length; i++)
        {
            chain[i] = new GrainId(reader.ReadString()!, reader.ReadString()!);
        }

        var forwards = reader.ReadInt32();
        var toHolder = reader.ReadByte() == 1;
        var arguments = new object?[method.ParameterTypes.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            if (method.ParameterTypes[i] == typeof(CancellationToken))
            {
                reader.SkipJson();
            }
            else
            {
                arguments[i] = reader.ReadJson(method.ParameterTypes[i], Values);
            }
        }

        var headers = new CallHeaders(correlation, causation, actor, traceParent, traceState, timeoutMs < 0 ? null : TimeSpan.FromMilliseconds(timeoutMs), chain);
        return new SiloRequest(grain, method.Method, arguments, headers, forwards, toHolder);
    }

    public static Frame EncodeResult(long id, object? result, WireMethod method)
    {
        var frame = new FrameBuilder(FrameType.Reply, 128);
        frame.WriteInt64(id);
        frame.WriteByte(0);
        if (method.ResultType is { } type)
        {
            frame.WriteJson(result, type, Values);
        }

        return frame.Detach();
    }

    /// <summary>An exception as a reply: its type name, message, and whether the call certainly did not run.</summary>
    public static Frame EncodeError(long id, Exception exception)
    {
        var frame = new FrameBuilder(FrameType.Reply, 256);
        frame.WriteInt64(id);
        frame.WriteByte(exception is SiloUnavailableException ? (byte)2 : (byte)1);
        frame.WriteString(exception.GetType().FullName);
        frame.WriteString(exception.Message);
        return frame.Detach();
    }

    public static Frame EncodeCancel(long id)
    {
        var frame = new FrameBuilder(FrameType.Cancel, 16);
        frame.WriteInt64(id);
        return frame.Detach();
    }

    public static Frame EncodeClosing() => new FrameBuilder(FrameType.Closing, 8).Detach();

    /// <summary>Decodes a reply (its type byte and id already read): the result, or the exception to throw.</summary>
    public static (object? Result, Exception? Error) DecodeReply(ref FrameReader reader, WireMethod method)
    {
        var status = reader.ReadByte();
        if (status == 0)
        {
            return (method.ResultType is { } type ? reader.ReadJson(type, Values) : null, null);
        }

        var typeName = reader.ReadString()!;
        var message = reader.ReadString()!;
        return (null, status == 2 ? new SiloUnavailableException(message) : Recreate(typeName, message));
    }

    // Exceptions with a (string message) constructor come back as themselves; the rest keep their type name.
    private static Exception Recreate(string typeName, string message)
    {
        var type = Type.GetType(typeName, throwOnError: false) ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
        if (type is not null && typeof(Exception).IsAssignableFrom(type) && type.GetConstructor([typeof(string)]) is { } constructor)
        {
            return (Exception)constructor.Invoke([message]);
        }

        return new RemoteGrainException(typeName, message);
    }
}
