using Granary.Contracts.Clusters;
using Granary.Contracts.Events;
using Granary.Grains.Clusters;
using Granary.Grains.Secrets;
using Granary.Runtime;
using Granary.Testing.Runtime;

namespace Granary.Testing.Fleet;

/// <summary>A test silo hosting Cluster and fleet directory grains, reading Secrets through <c>secrets</c>; tests add their own grains (subscribers).</summary>
public static class FleetSilo
{
    /// <summary>Registers the fleet grains in <paramref name="options"/> (also for other fixtures' silos, which register the contracts' event types).</summary>
    public static SiloOptions AddFleet(this SiloOptions options, ISecretReader secrets)
    {
        var resolver = new ClusterConnectionResolver(secrets);
        options.Grains
            .Add<IClusterGrain, ClusterGrain>(() => new ClusterGrain(resolver))
            .Add<IClusterDirectoryGrain, ClusterDirectoryGrain>();
        return options;
    }

    /// <summary>Starts the silo; <paramref name="configure"/> registers more grains.</summary>
    public static Task<TestSilo> StartAsync(ISecretReader secrets, Action<GrainRegistry>? configure = null) =>
        TestSilo.StartAsync(c =>
        {
            var options = new SiloOptions { ConnectionString = c.ConnectionString, Schema = c.Schema, ReminderPollInterval = TimeSpan.FromMilliseconds(200) }.AddFleet(secrets);
            options.EventTypes.RegisterAnnotated(typeof(ClusterSpecApplied).Assembly);
            configure?.Invoke(options.Grains);
            return options;
        });
}
