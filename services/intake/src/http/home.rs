//! `GET /`: the page a person reaches at the web address `make run` prints: what this server is, the
//! templates to download, and how to send a workbook. The full web pages come with the web issue.

use axum::Router;
use axum::response::Html;
use axum::routing::get;

use super::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

async fn home() -> Html<&'static str> {
    Html(PAGE)
}

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>JVAP data round 2022</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
  h1 { font-size: 1.6rem; margin-bottom: .25rem; }
  h2 { font-size: 1.15rem; margin-top: 2rem; }
  code, pre { background: #f2f2f2; border-radius: 4px; padding: .1rem .3rem; }
  pre { padding: .75rem; overflow-x: auto; }
  a { color: #0b5394; }
  a:focus { outline: 3px solid #f9a825; }
  .fr { color: #444; }
</style>
</head>
<body>
<h1>JVAP database — data round 2022</h1>
<p>Partners of the Rabat and Khartoum Processes send the spreadsheets of their initiatives here. Each file
is checked cell by cell within seconds, in English and French.</p>
<p class="fr" lang="fr">Les partenaires des Processus de Rabat et de Khartoum envoient ici les tableaux de leurs
initiatives. Chaque fichier est vérifié cellule par cellule en quelques secondes, en anglais et en français.</p>

<h2>1. Download the template / Télécharger le modèle</h2>
<ul>
  <li><a href="/api/v1/template.xlsx?lang=en">Template in English (xlsx)</a></li>
  <li lang="fr"><a href="/api/v1/template.xlsx?lang=fr">Modèle en français (xlsx)</a></li>
</ul>

<h2>2. Send your workbook / Envoyer votre classeur</h2>
<p>With the access token your Secretariat gave you, use the <code>jvap</code> command-line tool:</p>
<pre>jvap --server THIS_ADDRESS --token YOUR_TOKEN submit my-initiatives.xlsx --wait
jvap --server THIS_ADDRESS --token YOUR_TOKEN download annotated SUBMISSION_ID --lang fr</pre>
<p>or the HTTP API: <code>POST /api/v1/submissions</code> with the file in a multipart field named
<code>file</code> and the header <code>Authorization: Bearer YOUR_TOKEN</code>.</p>

<h2>3. Check a file without sending it / Vérifier sans envoyer</h2>
<pre>jvap validate my-initiatives.xlsx --lang fr --annotate corrections.xlsx</pre>

<p><a href="/healthz">Service health</a></p>
</body>
</html>
"#;
