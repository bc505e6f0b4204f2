using Microsoft.AspNetCore.Http;

namespace Granary.Silo.Api;

/// <summary>The body of every API error: a Flux-style reason, a message naming the resource, field and fix, and per-document errors.</summary>
/// <param name="Reason">A stable reason code, e.g. <c>Invalid</c>, <c>NotFound</c>, <c>Unauthorized</c>.</param>
/// <param name="Message">What went wrong and what to do.</param>
/// <param name="Errors">For an apply: one entry per invalid document.</param>
public sealed record ApiError(string Reason, string Message, IReadOnlyList<DocumentError>? Errors = null)
{
    /// <summary>A JSON error response with <paramref name="status"/>.</summary>
    public static IResult Result(int status, string reason, string message, IReadOnlyList<DocumentError>? errors = null) =>
        Results.Json(new ApiError(reason, message, errors), statusCode: status);
}

/// <summary>One invalid document of an applied body.</summary>
/// <param name="Source">The file name the client gave (<c>?source=</c>), or <c>request</c>.</param>
/// <param name="Document">The document's number in the body, from 1.</param>
/// <param name="Kind">Its kind, when it has one.</param>
/// <param name="Name">Its <c>namespace/name</c>, when it has one.</param>
/// <param name="Field">The field at fault, e.g. <c>spec.interval</c>.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
/// <param name="Error">The whole error on one line.</param>
public sealed record DocumentError(string Source, int Document, string? Kind, string? Name, string? Field, string Message, string Error);
