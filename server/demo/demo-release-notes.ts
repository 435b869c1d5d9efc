/** Release notes of the demo feed, in the three UI languages, as a vendor would write them. */
type Notes = { en: string; de: string; fr: string };

export const DEMO_NOTES: Record<string, Notes> = {
  '8.1.3': {
    en: `## Patchbay Demo PBX 8.1.3

A maintenance release for all 8.1 systems.

### Fixes
- Calls transferred to a busy queue no longer drop after 30 seconds.
- The call log shows the correct duration for calls longer than one hour.
- SIP trunks re-register after a network outage without a restart.

### Security
- Updated the TLS library of the SIP stack (CVE-2026-1142).`,
    de: `## Patchbay Demo PBX 8.1.3

Ein Wartungsrelease für alle 8.1-Systeme.

### Korrekturen
- Anrufe, die an eine besetzte Warteschlange vermittelt werden, brechen nicht mehr nach 30 Sekunden ab.
- Das Anrufprotokoll zeigt bei Gesprächen über einer Stunde die richtige Dauer.
- SIP-Trunks registrieren sich nach einem Netzausfall ohne Neustart neu.

### Sicherheit
- TLS-Bibliothek des SIP-Stacks aktualisiert (CVE-2026-1142).`,
    fr: `## Patchbay Demo PBX 8.1.3

Une version de maintenance pour tous les systèmes 8.1.

### Corrections
- Les appels transférés vers une file d'attente occupée ne sont plus coupés après 30 secondes.
- Le journal des appels affiche la bonne durée pour les appels de plus d'une heure.
- Les trunks SIP se réenregistrent après une coupure réseau sans redémarrage.

### Sécurité
- Mise à jour de la bibliothèque TLS de la pile SIP (CVE-2026-1142).`,
  },
  '8.2.0': {
    en: `## Patchbay Demo PBX 8.2.0

### New
- **Call recording flag**: every call record now says whether the call was recorded.
- Dial plans accept patterns with named groups.

### Changes
- The call database gains a column; the update migrates it automatically (a few seconds).

### Last of the 8.x line
8.2.0 is the last 8.x release. Systems on 8.0.x update to it before moving to 9.0.0.`,
    de: `## Patchbay Demo PBX 8.2.0

### Neu
- **Aufzeichnungskennzeichen**: Jeder Anrufdatensatz gibt an, ob das Gespräch aufgezeichnet wurde.
- Wählpläne akzeptieren Muster mit benannten Gruppen.

### Änderungen
- Die Anrufdatenbank erhält eine Spalte; das Update migriert sie automatisch (einige Sekunden).

### Letztes Release der 8.x-Reihe
8.2.0 ist das letzte 8.x-Release. Systeme mit 8.0.x aktualisieren zuerst darauf, bevor sie auf 9.0.0 wechseln.`,
    fr: `## Patchbay Demo PBX 8.2.0

### Nouveautés
- **Indicateur d'enregistrement** : chaque appel indique s'il a été enregistré.
- Les plans de numérotation acceptent des motifs avec groupes nommés.

### Changements
- La base des appels reçoit une colonne ; la mise à jour la migre automatiquement (quelques secondes).

### Dernière de la série 8.x
La 8.2.0 est la dernière version 8.x. Les systèmes en 8.0.x passent par elle avant la 9.0.0.`,
  },
  '9.0.0': {
    en: `## Patchbay Demo PBX 9.0.0

A new major version. **Requires a licence for major version 9.**

### New
- Voicemail with a mailbox per extension.
- Dial plan format 2 with explicit rule priorities (converted automatically).

### Before you update
- 9.0.0 installs from 8.1.0 or later; older systems install 8.2.0 first.
- The **Fax** module is not released for 9.x and will be disabled.`,
    de: `## Patchbay Demo PBX 9.0.0

Eine neue Hauptversion. **Erfordert eine Lizenz für Hauptversion 9.**

### Neu
- Voicemail mit einem Postfach pro Nebenstelle.
- Wählplanformat 2 mit expliziten Regelprioritäten (wird automatisch umgewandelt).

### Vor dem Update
- 9.0.0 lässt sich ab 8.1.0 installieren; ältere Systeme installieren zuerst 8.2.0.
- Das Modul **Fax** ist für 9.x nicht freigegeben und wird deaktiviert.`,
    fr: `## Patchbay Demo PBX 9.0.0

Une nouvelle version majeure. **Nécessite une licence pour la version majeure 9.**

### Nouveautés
- Messagerie vocale avec une boîte par poste.
- Format 2 des plans de numérotation avec priorités explicites (converti automatiquement).

### Avant la mise à jour
- La 9.0.0 s'installe à partir de la 8.1.0 ; les systèmes plus anciens installent d'abord la 8.2.0.
- Le module **Fax** n'est pas publié pour la 9.x et sera désactivé.`,
  },
  '9.1.0': {
    en: `## Patchbay Demo PBX 9.1.0

Installs from 9.0.x: install 9.0.0 first.

### New
- Voicemail to e-mail.
- The call log can be filtered by direction.

### Fixes
- Queue statistics no longer count abandoned calls twice.`,
    de: `## Patchbay Demo PBX 9.1.0

Installierbar ab 9.0.x: Installieren Sie zuerst 9.0.0.

### Neu
- Voicemail per E-Mail.
- Das Anrufprotokoll lässt sich nach Richtung filtern.

### Korrekturen
- Warteschlangenstatistiken zählen abgebrochene Anrufe nicht mehr doppelt.`,
    fr: `## Patchbay Demo PBX 9.1.0

S'installe à partir de la 9.0.x : installez d'abord la 9.0.0.

### Nouveautés
- Messagerie vocale vers e-mail.
- Le journal des appels peut être filtré par direction.

### Corrections
- Les statistiques des files ne comptent plus deux fois les appels abandonnés.`,
  },
  '9.2.0-beta.1': {
    en: `## Patchbay Demo PBX 9.2.0 beta 1

A preview for the beta channel: a new call-routing engine. Not for production systems.`,
    de: `## Patchbay Demo PBX 9.2.0 Beta 1

Eine Vorschau für den Beta-Kanal: eine neue Routing-Engine. Nicht für Produktivsysteme.`,
    fr: `## Patchbay Demo PBX 9.2.0 bêta 1

Un aperçu pour le canal bêta : un nouveau moteur de routage. Pas pour les systèmes en production.`,
  },
};
