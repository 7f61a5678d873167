//! Reading the `Cookie` header and writing `Set-Cookie` values with the attributes every jvap cookie
//! has: `Path=/`, `HttpOnly`, `SameSite=Lax`, and `Secure` when the request came over TLS.

use axum::http::HeaderMap;

/// The value of cookie `name` in the request, if any.
pub(crate) fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// Whether the request reached us over TLS, as the reverse proxy in front says (`X-Forwarded-Proto`
/// or `Forwarded: proto=https`); intake itself serves plain HTTP.
pub(crate) fn over_tls(headers: &HeaderMap) -> bool {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase)
    };
    header("x-forwarded-proto").is_some_and(|proto| proto.trim() == "https")
        || header("forwarded").is_some_and(|value| value.contains("proto=https"))
}

/// A `Set-Cookie` value; `max_age` in seconds, `None` for a cookie that ends with the browser; `secure`
/// when the request came over TLS ([`over_tls`]).
pub(crate) fn set(secure: bool, name: &str, value: &str, max_age: Option<u64>) -> String {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(seconds) = max_age {
        cookie.push_str(&format!("; Max-Age={seconds}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

/// A `Set-Cookie` value that deletes cookie `name`.
pub(crate) fn clear(secure: bool, name: &str) -> String {
    set(secure, name, "", Some(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().expect("header value"));
        }
        map
    }

    #[test]
    fn a_cookie_is_found_among_others() {
        let h = headers(&[("cookie", "a=1; jvap_lang=fr"), ("cookie", "b=2")]);
        assert_eq!(get(&h, "jvap_lang"), Some("fr"));
        assert_eq!(get(&h, "b"), Some("2"));
        assert_eq!(get(&h, "c"), None);
    }

    #[test]
    fn cookies_are_secure_only_behind_tls() {
        assert!(!over_tls(&HeaderMap::new()));
        assert!(over_tls(&headers(&[("x-forwarded-proto", "https")])));
        assert!(over_tls(&headers(&[(
            "forwarded",
            "for=1.2.3.4;proto=https"
        )])));
        let plain = set(false, "s", "v", Some(60));
        assert_eq!(plain, "s=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60");
        assert!(set(true, "s", "v", None).ends_with("; Secure"));
    }
}
