//! The frame around every page: `lang`, a skip link, the header with the language switch and sign-out,
//! one small inline stylesheet and one small inline script (no file is fetched besides the page).

use axum::response::Html;
use jvap_record::Lang;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::View;
use super::i18n::{self, fill};

/// A whole page: `title` in the tab and the header, `head` for extra `<head>` elements (a refresh while
/// a submission is pending), `body` inside `<main>`.
pub(crate) fn page(view: &View, title: &str, head: Markup, body: Markup) -> Html<String> {
    let w = view.words;
    let site = fill(w.site, &[("round", &view.round)]);
    let other = match view.lang {
        Lang::En => Lang::Fr,
        Lang::Fr => Lang::En,
    };
    let switch = format!("/lang/{}?next={}", other.code(), percent_encode(&view.here));
    let markup = html! {
        (DOCTYPE)
        html lang=(view.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — " (site) }
                style { (PreEscaped(STYLE)) }
                (head)
            }
            body {
                a.skip href="#main" { (w.skip) }
                header {
                    a.site href="/" { (site) }
                    nav aria-label=(w.nav_home) {
                        @if let Some(user) = &view.user {
                            a href="/" { (w.nav_home) }
                            a href="/submissions" { (w.nav_submissions) }
                            span.who {
                                (w.signed_in_as) " " (w.role(user.caller.role))
                                @if let Some(partner) = &user.caller.partner { " " strong { (partner) } }
                            }
                            form.inline method="post" action="/signout" {
                                input type="hidden" name="csrf" value=(user.csrf);
                                button.link type="submit" { (w.sign_out) }
                            }
                        }
                        a lang=(other.code()) hreflang=(other.code()) href=(switch)
                            title=(w.other_lang_name) { (w.other_lang) }
                    }
                }
                main #main tabindex="-1" { (body) }
                footer { a href="/api" { (w.api_title) } }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    };
    Html(markup.into_string())
}

/// A failure as a whole page, in `lang`, with the message in `#problem` (the upload script reads it).
pub(crate) fn error_page(lang: Lang, message: &str) -> Html<String> {
    let w = i18n::words(lang);
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (w.error_title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main #main {
                    h1 { (w.error_title) }
                    p.problem #problem role="alert" { (message) }
                    p { a href="/" { (w.back_home) } }
                }
            }
        }
    };
    Html(markup.into_string())
}

/// The two template downloads, for the sign-in page and the partner's page.
pub(crate) fn templates_section(view: &View) -> Markup {
    let w = view.words;
    html! {
        section aria-labelledby="templates" {
            h2 #templates { (w.templates_title) }
            ul {
                li { a href="/api/v1/template.xlsx?lang=en" hreflang="en" download { (w.template_en) } }
                li { a href="/api/v1/template.xlsx?lang=fr" hreflang="fr" download { (w.template_fr) } }
            }
        }
    }
}

/// A table's header row: one column heading per text.
pub(crate) fn column_heads(headings: &[&str]) -> Markup {
    html! {
        thead { tr {
            @for heading in headings { th scope="col" { (heading) } }
        } }
    }
}

/// A UTC time as `2022-03-15 14:05`.
pub(crate) fn when(time: chrono::DateTime<chrono::Utc>) -> String {
    time.format("%Y-%m-%d %H:%M").to_string()
}

/// `text` made safe inside a query parameter.
pub(crate) fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Colours meet WCAG AA (4.5:1 or more for text); focus is a thick outline; states and severities carry
/// a word and a symbol, never colour alone.
/// The Content-Security-Policy of every page: nothing loads but this page's own stylesheet and
/// script (allowed by their SHA-256, so an injected one would not run), requests to this site,
/// forms to this site, and no framing by anyone.
pub(crate) fn content_security_policy() -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let hash = |text: &str| base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text));
    format!(
        "default-src 'none'; style-src 'sha256-{}'; script-src 'sha256-{}'; connect-src 'self'; \
         img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        hash(STYLE),
        hash(SCRIPT)
    )
}

const STYLE: &str = r#"
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1b1b;background:#fff}
header{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;justify-content:space-between;padding:.75rem 1rem;background:#0b3d6b;color:#fff}
header a,header .link{color:#fff}
header nav{display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
.site{font-weight:700;text-decoration:none}
.who{opacity:.95}
main{max-width:62rem;margin:0 auto;padding:1rem 1rem 3rem}
main:focus{outline:none}
footer{max-width:62rem;margin:0 auto;padding:1rem;border-top:1px solid #c8c8c8}
h1{font-size:1.6rem;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin-top:2rem}
a{color:#0b5394}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible,.drop:focus-within{outline:3px solid #1a1a1a;outline-offset:2px;box-shadow:0 0 0 6px #ffd54f}
.skip{position:absolute;left:-999px;top:0;background:#fff;color:#0b3d6b;padding:.5rem 1rem;z-index:2}
.skip:focus{left:1rem}
label{display:block;font-weight:600;margin-top:1rem}
.hint{color:#4a4a4a;margin:.1rem 0 .4rem;font-size:.95rem}
input[type=password],input[type=text],select{font:inherit;padding:.45rem .6rem;border:2px solid #6b6b6b;border-radius:4px;min-width:16rem;max-width:100%}
button{font:inherit;font-weight:600;padding:.5rem 1.1rem;margin-top:1rem;border:2px solid #0b3d6b;border-radius:4px;background:#0b3d6b;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0b3d6b}
button.link{background:none;border:none;padding:0;margin:0;text-decoration:underline;font-weight:400}
form.inline{display:inline;margin:0}
.card{border:1px solid #c8c8c8;border-radius:6px;padding:1rem 1.25rem;margin:1rem 0;background:#fafafa}
fieldset{border:1px solid #c8c8c8;border-radius:4px;margin-top:1rem}
fieldset label{display:inline;font-weight:400;margin:0}
.choice{display:flex;gap:.5rem;align-items:flex-start;margin:.3rem 0}
.drop{border:2px dashed #6b6b6b;border-radius:6px;padding:1rem;background:#fff}
.drop label{margin-top:0}
td button{margin-top:0;padding:.25rem .7rem}
.drop.over{background:#e8f0fe;border-color:#0b3d6b}
progress{width:100%;height:1.2rem;margin-top:.75rem}
table{border-collapse:collapse;width:100%;margin:.75rem 0;font-size:.95rem}
th,td{border:1px solid #c8c8c8;padding:.35rem .5rem;text-align:left;vertical-align:top}
ul.plain{list-style:none;margin:0;padding:0}
th{background:#eef2f7}
caption{text-align:left;font-weight:600;padding:.25rem 0}
.problem{border-left:6px solid #a4141b;background:#fdecea;color:#5f0b0f;padding:.6rem .9rem}
.notice{border-left:6px solid #0b5394;background:#e8f0fe;padding:.6rem .9rem}
.state{display:inline-block;white-space:nowrap;font-weight:700;padding:.15rem .6rem;border-radius:4px;border:2px solid currentColor}
.state-accepted,.sev-info{color:#125c2b}
.state-rejected,.state-failed,.sev-error{color:#a4141b}
.state-received,.state-validating{color:#0b3d6b}
.sev-warning{color:#7a4600}
.sev{font-weight:700;white-space:nowrap}
.token{font-family:ui-monospace,monospace;font-size:1.05rem;word-break:break-all;background:#fff;border:2px solid #125c2b;padding:.5rem;display:block}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
.filters{display:flex;flex-wrap:wrap;gap:0 1.5rem;align-items:flex-end}
.filters label{margin-top:0}
.filters select{min-width:10rem}
code{font-family:ui-monospace,monospace}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
"#;

/// The optional script: drag and drop and a progress bar on the upload form (which also works as a
/// plain form), and live status on a pending submission (which also refreshes itself without it).
const SCRIPT: &str = r#"
(function(){
var form=document.querySelector('form[data-upload]');
if(form&&window.FormData&&window.XMLHttpRequest){
  var input=form.querySelector('input[type=file]'),drop=form.querySelector('.drop'),
      bar=form.querySelector('progress'),out=form.querySelector('[data-message]'),btn=form.querySelector('button[type=submit]');
  ['dragenter','dragover'].forEach(function(e){drop.addEventListener(e,function(ev){ev.preventDefault();drop.classList.add('over');});});
  ['dragleave','drop'].forEach(function(e){drop.addEventListener(e,function(ev){ev.preventDefault();drop.classList.remove('over');});});
  drop.addEventListener('drop',function(ev){if(ev.dataTransfer&&ev.dataTransfer.files.length){input.files=ev.dataTransfer.files;input.dispatchEvent(new Event('change'));}});
  form.addEventListener('submit',function(ev){
    if(!input.files.length||(ev.submitter&&ev.submitter.hasAttribute('data-plain')))return;
    ev.preventDefault();
    var xhr=new XMLHttpRequest();
    xhr.open('POST',form.action);
    xhr.responseType='document';
    bar.hidden=false;bar.value=0;btn.disabled=true;out.textContent=form.dataset.uploading;out.className='notice';
    xhr.upload.onprogress=function(e){if(e.lengthComputable){bar.value=Math.round(100*e.loaded/e.total);}};
    xhr.onload=function(){
      if(xhr.status>=200&&xhr.status<300){window.location.assign(xhr.responseURL);return;}
      var p=xhr.response&&xhr.response.getElementById('problem');
      out.textContent=p?p.textContent:('HTTP '+xhr.status);out.className='problem';bar.hidden=true;btn.disabled=false;
      out.focus();
    };
    xhr.onerror=function(){out.textContent=form.dataset.failed;out.className='problem';bar.hidden=true;btn.disabled=false;};
    xhr.send(new FormData(form));
  });
}
var live=document.querySelector('[data-poll]');
if(live&&window.fetch){
  var seen=live.dataset.state;
  var tick=function(){
    fetch(live.dataset.poll,{credentials:'same-origin',headers:{'Accept':'application/json'}})
      .then(function(r){return r.ok?r.json():null;})
      .then(function(s){if(s&&s.state!==seen){window.location.reload();}else{setTimeout(tick,1500);}})
      .catch(function(){setTimeout(tick,3000);});
  };
  setTimeout(tick,1000);
}
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_way_back_survives_the_language_switch() {
        assert_eq!(
            percent_encode("/submissions/ab?severity=error&sheet=Feuille 1"),
            "/submissions/ab%3Fseverity%3Derror%26sheet%3DFeuille%201"
        );
    }
}
