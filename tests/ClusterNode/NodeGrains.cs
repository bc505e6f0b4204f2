using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Runtime;

namespace Granary.ClusterNode;

/// <summary>What a counter answers: its total, its stream version, and the silo whose activation answered.</summary>
public sealed record NodeCount(int Total, long Version, string Silo);

/// <summary>An event-sourced counter: every increment is one event, so its stream shows any gap, repeat or fork.</summary>
public interface INodeCounterGrain : IGrain
{
    /// <summary>Raises one increment and answers the new total.</summary>
    Task<NodeCount> IncrementAsync(int by);

    /// <summary>The current total.</summary>
    [ReadOnly]
    Task<NodeCount> GetAsync();
}

/// <summary>A stateless grain that says where it lives: the remote calls of the benchmark.</summary>
public interface INodePingGrain : IGrain
{
    /// <summary>Answers <paramref name="value"/> back.</summary>
    Task<int> PingAsync(int value);

    /// <summary>The silo whose activation answers.</summary>
    [ReadOnly]
    Task<string> WhereAsync();
}

/// <summary>One increment of a <see cref="INodeCounterGrain"/>.</summary>
[EventType("test.clusternode.incremented")]
public sealed record NodeIncremented(int By);

/// <summary>The folded state of a counter.</summary>
public sealed class NodeCounterState
{
    /// <summary>The sum of the increments.</summary>
    public int Total { get; set; }
}

/// <summary>The counter grain.</summary>
public sealed class NodeCounterGrain(string silo) : EventSourcedGrain<NodeCounterState>, INodeCounterGrain
{
    /// <inheritdoc />
    protected override NodeCounterState Apply(NodeCounterState state, object @event)
    {
        if (@event is NodeIncremented incremented)
        {
            state.Total += incremented.By;
        }

        return state;
    }

    /// <inheritdoc />
    public async Task<NodeCount> IncrementAsync(int by)
    {
        await RaiseAsync(new NodeIncremented(by));
        return new NodeCount(State.Total, Version, silo);
    }

    /// <inheritdoc />
    public Task<NodeCount> GetAsync() => Task.FromResult(new NodeCount(State.Total, Version, silo));
}

/// <summary>The ping grain.</summary>
public sealed class NodePingGrain(string silo) : Grain, INodePingGrain
{
    /// <inheritdoc />
    public Task<int> PingAsync(int value) => Task.FromResult(value);

    /// <inheritdoc />
    public Task<string> WhereAsync() => Task.FromResult(silo);
}
