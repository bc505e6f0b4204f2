namespace Granary.Contracts.Grains;

/// <summary>Marks a grain interface: a plain C# interface, keyed by string, whose methods return Task, Task&lt;T&gt;, ValueTask or ValueTask&lt;T&gt;.</summary>
public interface IGrain;
