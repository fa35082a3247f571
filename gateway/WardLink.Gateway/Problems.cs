using Microsoft.AspNetCore.Mvc;

namespace WardLink.Gateway;

/// <summary>Problem details the gateway answers by itself, before any endpoint runs.</summary>
public static class Problems
{
    public static async Task WriteProblemAsync(this HttpContext http, int status, string title, string detail)
    {
        http.Response.StatusCode = status;
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
