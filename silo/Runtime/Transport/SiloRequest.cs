using System.Reflection;
using Granary.Contracts.Grains;

namespace Granary.Runtime.Transport;

/// <summary>
/// A grain call on its way to another silo. <paramref name="Forwards"/> counts the silo-to-silo hops after the
/// first send; <paramref name="ToHolder"/> marks a call sent to the silo the directory says holds the grain.
/// </summary>
/// <param name="Target">The grain called.</param>
/// <param name="Method">The grain interface method (the wire form names its interface and signature).</param>
/// <param name="Arguments">The arguments; a <see cref="CancellationToken"/> slot is replaced on the receiving side.</param>
/// <param name="Headers">The call context.</param>
/// <param name="Forwards">How many times the call was already forwarded.</param>
/// <param name="ToHolder">Whether the sender's claim found this silo holding the grain.</param>
public sealed record SiloRequest(GrainId Target, MethodInfo Method, object?[] Arguments, CallHeaders Headers, int Forwards, bool ToHolder);
