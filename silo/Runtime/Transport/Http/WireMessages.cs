using System.Text.Json;
using System.Text.Json.Serialization;

namespace Granary.Runtime.Transport.Http;

/// <summary>A call's body on the wire: the grain, the method by interface and signature, the arguments as JSON.</summary>
internal sealed record WireCall(string Kind, string Key, string Interface, string Method, string[] Parameters, JsonElement[] Arguments);

/// <summary>A call's outcome on the wire: the result, or the grain's exception by type name and message.</summary>
internal sealed record WireReply(JsonElement? Result, WireError? Error);

/// <summary>An exception that crossed silos.</summary>
internal sealed record WireError(string Type, string Message, bool NotDelivered);

/// <summary>Source-generated (reflection-free) serialization of the envelopes; arguments and results use their declared types.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(WireCall))]
[JsonSerializable(typeof(WireReply))]
internal sealed partial class WireJsonContext : JsonSerializerContext;
