/** Was die automatische Installation nach der letzten Update-Suche getan hat, auf Deutsch. */
export const messages: Record<string, string> = {
  'notice.UNATTENDED_DOWNLOAD_STARTED':
    '{version} wird heruntergeladen (auf dem Weg zu {toward}) und im nächsten Wartungsfenster installiert.',
  'notice.UNATTENDED_INSTALL_PLANNED': '{version} ist heruntergeladen und für das Wartungsfenster um {plannedAt} eingeplant.',
  'notice.UNATTENDED_NOTHING_NEWER': 'Keine neuere Version der gewählten Art: nichts zu tun.',
  'notice.UNATTENDED_BLOCKED': '{version} kann derzeit nicht installiert werden ({blockers}): Es wurde nichts heruntergeladen.',
  'notice.UNATTENDED_NEEDS_ACKNOWLEDGEMENT':
    'Für {version} müssen Modulwarnungen bestätigt werden ({modules}): Die Version wartet auf Sie und wird nicht automatisch installiert.',
  'notice.UNATTENDED_JOB_ACTIVE': 'Ein Auftrag für {version} läuft bereits: Es wurde nichts Neues gestartet.',
  'notice.UNATTENDED_NO_WINDOW': 'Es ist kein Wartungsfenster eingerichtet: Es wurde nichts heruntergeladen oder eingeplant.',
  'notice.UNATTENDED_REFUSED': '{version} wurde nicht gestartet ({code}).',
  'notice.UNATTENDED_DOWNLOAD_ENDED': 'Der Download von {version} wurde nicht abgeschlossen: Es wurde nichts eingeplant.',
};
