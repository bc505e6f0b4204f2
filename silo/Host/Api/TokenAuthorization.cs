using Granary.Silo.Configuration;
using Microsoft.AspNetCore.Http;

namespace Granary.Silo.Api;

/// <summary>
/// Bearer-token checks for the API: no or an unknown token is 401, a token without the role is 403. The token found
/// is kept on the request; its name is the actor recorded on the events the request causes.
/// </summary>
public sealed class TokenAuthorization(IReadOnlyList<ApiToken> tokens)
{
    private const string TokenItem = "granary.token";

    /// <summary>An endpoint filter that lets through requests whose token has <paramref name="role"/>.</summary>
    public IEndpointFilter Require(ApiRole role) => new RoleFilter(this, role);

    /// <summary>The token the request was authorized with.</summary>
    public static ApiToken TokenOf(HttpContext context) => (ApiToken)context.Items[TokenItem]!;

    private ApiToken? Authenticate(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var presented = header["Bearer ".Length..].Trim();
        ApiToken? found = null;
        foreach (var token in tokens)
        {
            // Compare against every token, so the time taken does not tell which one (or whether any) matched.
            if (token.Matches(presented))
            {
                found = token;
            }
        }

        return found;
    }

    private sealed class RoleFilter(TokenAuthorization authorization, ApiRole role) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            var http = context.HttpContext;
            var token = authorization.Authenticate(http);
            if (token is null)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer realm=\"granary\"";
                return ApiError.Result(StatusCodes.Status401Unauthorized, "Unauthorized",
                    "a valid bearer token is required: send `Authorization: Bearer <token>` with a token from the silo's config (tokens[].valueFrom)");
            }

            if (!token.Allows(role))
            {
                return ApiError.Result(StatusCodes.Status403Forbidden, "Forbidden",
                    $"token '{token.Name}' has role {token.Role.ToString().ToLowerInvariant()}; this request needs {role.ToString().ToLowerInvariant()}");
            }

            http.Items[TokenItem] = token;
            return await next(context);
        }
    }
}
