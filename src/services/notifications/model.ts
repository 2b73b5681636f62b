export interface TemplateSettings {
  companyName: string;
  itContact: string;
}
