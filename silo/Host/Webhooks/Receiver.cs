namespace Granary.Silo.Webhooks;

/// <summary>
/// A webhook receiver (Flux's notification-controller Receiver): deliveries to <c>POST /hooks/{name}</c> that prove
/// they know <see cref="Secret"/> make every one of <see cref="Resources"/> fetch at once.
/// </summary>
/// <param name="Name">The receiver's name: its path segment and, as <c>webhook:&lt;name&gt;</c>, the actor recorded on the reconciles it asks for.</param>
/// <param name="Type">Who sends its deliveries.</param>
/// <param name="Secret">The shared secret.</param>
/// <param name="Resources">The sources it reconciles.</param>
public sealed record Receiver(string Name, ReceiverType Type, ReceiverSecret Secret, IReadOnlyList<ReceiverResource> Resources)
{
    /// <summary>The actor recorded on the events a delivery causes.</summary>
    public string Actor => $"webhook:{Name}";

    /// <summary>Names the receiver, its type and resources, never its secret.</summary>
    public override string ToString() => $"receiver {Name} ({Type.ToString().ToLowerInvariant()} → {string.Join(", ", Resources)})";
}
