using System.Linq.Expressions;
using System.Reflection;
using Granary.Contracts.Grains;

namespace Granary.Runtime.Calls;

/// <summary>
/// One method of a grain interface, compiled once: an invoker that calls it on a grain and boxes the result,
/// and an adapter that turns the boxed result back into the Task/ValueTask shape the caller expects.
/// </summary>
internal sealed class GrainMethod
{
    private static readonly Task<object?> CompletedNull = Task.FromResult<object?>(null);

    private GrainMethod(MethodInfo method, Func<object, object?[], Task<object?>> invoke, Func<Task<object?>, object> adapt)
    {
        Method = method;
        Name = $"{method.DeclaringType!.Name}.{method.Name}";
        InterfaceName = method.DeclaringType.Name;
        IsReadOnly = method.IsDefined(typeof(ReadOnlyAttribute), inherit: true);
        IsOneWay = method.IsDefined(typeof(OneWayAttribute), inherit: true);
        CancellationTokenIndex = Array.FindIndex(method.GetParameters(), p => p.ParameterType == typeof(CancellationToken));
        Invoke = invoke;
        Adapt = adapt;
    }

    public MethodInfo Method { get; }

    /// <summary>Interface.Method, for errors, metrics and traces.</summary>
    public string Name { get; }

    public string InterfaceName { get; }

    public bool IsReadOnly { get; }

    public bool IsOneWay { get; }

    /// <summary>Where the method takes a CancellationToken (-1: it does not); the runtime passes the call's token there.</summary>
    public int CancellationTokenIndex { get; }

    /// <summary>Calls the method on a grain instance with the given arguments.</summary>
    public Func<object, object?[], Task<object?>> Invoke { get; }

    /// <summary>Turns the boxed result into the method's declared return type.</summary>
    public Func<Task<object?>, object> Adapt { get; }

    public static GrainMethod Create(MethodInfo method)
    {
        var returnType = method.ReturnType;
        var (box, adapt) = returnType switch
        {
            _ when returnType == typeof(Task) => (Helper(nameof(BoxTask)), Helper(nameof(AdaptTask))),
            _ when returnType == typeof(ValueTask) => (Helper(nameof(BoxValueTask)), Helper(nameof(AdaptValueTask))),
            { IsGenericType: true } when returnType.GetGenericTypeDefinition() == typeof(Task<>) =>
                (Helper(nameof(BoxTaskOf)).MakeGenericMethod(returnType.GenericTypeArguments), Helper(nameof(AdaptTaskOf)).MakeGenericMethod(returnType.GenericTypeArguments)),
            { IsGenericType: true } when returnType.GetGenericTypeDefinition() == typeof(ValueTask<>) =>
                (Helper(nameof(BoxValueTaskOf)).MakeGenericMethod(returnType.GenericTypeArguments), Helper(nameof(AdaptValueTaskOf)).MakeGenericMethod(returnType.GenericTypeArguments)),
            _ => throw new InvalidOperationException(
                $"Grain method {method.DeclaringType?.Name}.{method.Name} returns {returnType.Name}; grain methods return Task, Task<T>, ValueTask or ValueTask<T>."),
        };

        if (method.IsGenericMethodDefinition)
        {
            throw new InvalidOperationException($"Grain method {method.DeclaringType?.Name}.{method.Name} is generic; grain methods cannot be generic.");
        }

        var grain = Expression.Parameter(typeof(object), "grain");
        var arguments = Expression.Parameter(typeof(object?[]), "arguments");
        var call = Expression.Call(
            Expression.Convert(grain, method.DeclaringType!),
            method,
            method.GetParameters().Select((p, i) => Expression.Convert(Expression.ArrayIndex(arguments, Expression.Constant(i)), p.ParameterType)));
        var invoke = Expression.Lambda<Func<object, object?[], Task<object?>>>(Expression.Call(box, call), grain, arguments).Compile();
        var adapter = adapt.CreateDelegate<Func<Task<object?>, object>>();
        return new GrainMethod(method, invoke, adapter);
    }

    private static MethodInfo Helper(string name) => typeof(GrainMethod).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!;

    private static Task<object?> BoxTask(Task task) => task.IsCompletedSuccessfully ? CompletedNull : AwaitTask(task);

    private static async Task<object?> AwaitTask(Task task)
    {
        await task;
        return null;
    }

    private static Task<object?> BoxValueTask(ValueTask task) => task.IsCompletedSuccessfully ? CompletedNull : AwaitTask(task.AsTask());

    private static Task<object?> BoxTaskOf<T>(Task<T> task) => task.IsCompletedSuccessfully ? Task.FromResult<object?>(task.Result) : AwaitTaskOf(task);

    private static async Task<object?> AwaitTaskOf<T>(Task<T> task) => await task;

    private static Task<object?> BoxValueTaskOf<T>(ValueTask<T> task) => task.IsCompletedSuccessfully ? Task.FromResult<object?>(task.Result) : AwaitTaskOf(task.AsTask());

    private static object AdaptTask(Task<object?> task) => task;

    private static object AdaptValueTask(Task<object?> task) => new ValueTask(task);

    private static object AdaptTaskOf<T>(Task<object?> task) => task.IsCompletedSuccessfully ? Task.FromResult((T)task.Result!) : Unbox<T>(task);

    private static object AdaptValueTaskOf<T>(Task<object?> task) => task.IsCompletedSuccessfully ? new ValueTask<T>((T)task.Result!) : new ValueTask<T>(Unbox<T>(task));

    private static async Task<T> Unbox<T>(Task<object?> task) => (T)(await task)!;
}
