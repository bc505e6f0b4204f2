using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Configuration;
using Granary.Grains.Kubernetes.Objects;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Kubernetes;

/// <summary>Acting as a ServiceAccount (Flux's serviceAccountName) gives exactly that account's rights, even to an admin.</summary>
public sealed class Impersonation_is_honoured_by_RBAC(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task An_impersonated_ServiceAccount_may_do_what_its_bindings_allow_and_nothing_else()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("impersonate");
        await kubernetes.Cluster.CreateServiceAccountAsync(ns.Name, "deployer");
        await Manifests.BindAsync(kubernetes.Cluster, ns.Name, "edit", new JsonObject { ["kind"] = "ServiceAccount", ["name"] = "deployer", ["namespace"] = ns.Name });
        using var client = new KubernetesClient(KubeconfigLoader.Load(kubernetes.Cluster.KubeconfigPath).ImpersonatingServiceAccount(ns.Name, "deployer"));

        await Manifests.UntilAllowedAsync(() => client.ApplyAsync(Manifests.ConfigMap(ns.Name, "allowed")), "the ServiceAccount's binding to take effect");
        var denied = await Assert.ThrowsAsync<ForbiddenException>(() => client.GetAsync(new ObjectReference("v1", "Namespace", "", "kube-system")));

        Assert.Contains($"system:serviceaccount:{ns}:deployer", denied.ServerMessage);
        var map = await kubernetes.Cluster.Admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps/allowed");
        Assert.NotNull(map);
    }
}
