using System.Diagnostics;
using Granary.Testing.Kubernetes;

// Starts a local Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager from the bootstrap's cache), runs
// the given command with GRANARY_KUBECONFIG pointing at it, and stops the control plane when the command exits (Ctrl-C
// reaches both). Usage: granary-local-cluster <command> [args...]
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: granary-local-cluster <command> [args...]   (runs the command against a local control plane)");
    return 2;
}

Console.WriteLine("Starting a local Kubernetes control plane (the first run on a machine builds it; minutes)...");
using var planes = await LocalControlPlanes.StartAsync();
var cluster = await planes.ClusterAsync("local");
Console.WriteLine($"Local control plane {cluster.Server} is up; kubeconfig: {cluster.KubeconfigPath}");

var command = new ProcessStartInfo(args[0]) { UseShellExecute = false };
foreach (var argument in args.Skip(1))
{
    command.ArgumentList.Add(argument);
}

command.Environment["GRANARY_KUBECONFIG"] = cluster.KubeconfigPath;
command.Environment["KUBECONFIG"] = cluster.KubeconfigPath;
using var child = Process.Start(command)!;

// Ctrl-C goes to the whole process group: let the command stop first, then leave (disposing the control plane).
Console.CancelKeyPress += (_, e) => e.Cancel = true;
await child.WaitForExitAsync();
Console.WriteLine("Stopping the local control plane.");
return child.ExitCode;
