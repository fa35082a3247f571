using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace WardLink.ServiceDefaults.Security;

/// <summary>
/// Who a read is for. Every read answers with a view made for one audience; a field reaches the
/// partner, the auditor or the public only when that audience's view names it.
/// </summary>
public enum Audience
{
    /// <summary>Operations: sees the records whole (the tipster's contact only through its recorded read).</summary>
    Police,

    /// <summary>A partner client: what it submitted and what happened at its sites, without personal or police-only fields.</summary>
    Partner,

    /// <summary>An auditor: statistics and the audit trail, never personal data nor free text that can name people.</summary>
    Auditor,

    /// <summary>Anyone else (the public, ops): only what a public view names.</summary>
    Public,
}

public static class Audiences
{
    /// <summary>The audience of a caller: by its role, the most trusted one it holds.</summary>
    public static Audience Of(ClaimsPrincipal user) =>
        user.IsInRole(WardLinkRoles.Police) ? Security.Audience.Police
        : user.IsInRole(WardLinkRoles.Partner) ? Security.Audience.Partner
        : user.IsInRole(WardLinkRoles.Auditor) ? Security.Audience.Auditor
        : Security.Audience.Public;

    public static Audience Audience(this HttpContext http) => Of(http.User);
}
