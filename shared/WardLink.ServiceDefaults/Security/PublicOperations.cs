using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace WardLink.ServiceDefaults.Security;

/// <summary>
/// An operation that needs no token (its endpoint allows anonymous callers: the public tip intake and follow-up, the health
/// probes, the API document) is the public's, whatever token comes with it: there the token lets nothing in and is not asked
/// about. Authorization still authenticates a token it is sent; after it, such a request goes on as the public's, so
/// nothing downstream (the wards the request may name and the one it acts in, whose idempotency key it is, who acts) reads
/// a token the operation does not take.
/// </summary>
public static class PublicOperations
{
    public static IApplicationBuilder UseWardLinkPublicOperations(this IApplicationBuilder app) =>
        app.Use((http, next) =>
        {
            if (http.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            {
                http.User = new ClaimsPrincipal(new ClaimsIdentity());
            }

            return next(http);
        });
}
