// The properties panel packages ship no TypeScript declarations.
declare module 'bpmn-js-properties-panel'
declare module '@bpmn-io/properties-panel'
declare module '@bpmn-io/properties-panel/preact'
